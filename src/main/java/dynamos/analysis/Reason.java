package dynamos.analysis;

/** Why a function of the running kernel has no ftrace site, so that DynAMOS cannot redirect it itself. */
public enum Reason {
    NOINSTR("noinstr: in the kernel's non-instrumentable text (entry, exit, idle paths)"),
    ENTRY_CODE("entry code: the kernel's assembly entry points"),
    THUNK("a trampoline or thunk (static call, retpoline)"),
    NOTRACE("notrace: a C function compiled without an ftrace site (the notrace attribute, or its file is "
            + "built without ftrace)"),
    NO_C_RECORD("assembly, or a C function BTF does not record: no ftrace site and no BTF record"),
    NAMESAKE_IN_MODULE("one of several functions of this name in its module: the framework finds a module's functions"
            + " by name (each time the module loads), so it refuses an ambiguous one");

    public final String description;

    Reason(String description) {
        this.description = description;
    }
}
