package dynamos.generate;

import dynamos.elf.ElfObject;
import dynamos.source.ImageMatch;
import dynamos.update.Kallsyms;
import java.util.List;

/** What a patch plan needs to know of the kernel the update is for. */
public interface RunningKernel {
    /** The kernel's release, e.g. {@code 6.1.0-57-amd64}. */
    String release();

    /** The kernel's own (not modules') kallsyms entries called {@code name}, in kallsyms order. */
    List<Kallsyms.Entry> entries(String name);

    /** How many ftrace sites the kernel (not its modules) has for functions called {@code name}. */
    int ftraceSites(String name);

    /**
     * Compares the function {@code function} of {@code compiled} with the code of the {@code position}-th (from 1)
     * entry of {@link #entries} called {@code function}.
     */
    ImageMatch match(ElfObject compiled, String function, int position);
}
