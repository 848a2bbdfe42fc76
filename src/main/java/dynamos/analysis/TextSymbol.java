package dynamos.analysis;

/**
 * One symbol of the kernel's text, as kallsyms lists it, with what its neighbours tell.
 *
 * @param name its name, parsed into the source function and GCC's suffixes
 * @param address its address in the boot the facts were collected from (KASLR-shifted; only differences matter)
 * @param size bytes up to the next symbol at a higher address, or to the end of its region: the function
 *     and the padding after it
 * @param type kallsyms' letter: {@code T} global, {@code t} local, {@code W}/{@code w} weak
 * @param region where in the text it lies
 * @param position its place among the text symbols of the same name, from 1, in address order: the
 *     position {@code DYNAMOS_SYMBOL(name, position)} picks
 * @param namesakes how many text symbols have this name (1: unambiguous)
 * @param ftraceSite whether ftrace lists a patchable call site at its entry
 */
public record TextSymbol(SymbolName name, long address, long size, char type, TextRegion region, int position,
        int namesakes, boolean ftraceSite) {
    public String fullName() {
        return name.name();
    }

    public boolean ambiguous() {
        return namesakes > 1;
    }

    public boolean global() {
        return Character.isUpperCase(type);
    }

    /** {@code name} or, when ambiguous, {@code name#position} (a key that is unique in one kernel). */
    public String key() {
        return ambiguous() ? fullName() + "#" + position : fullName();
    }
}
