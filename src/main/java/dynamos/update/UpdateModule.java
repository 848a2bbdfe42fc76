package dynamos.update;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfSymbol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A built update module: the .ko file, its kernel module name and its update declaration. */
public record UpdateModule(Path file, ElfObject elf, String moduleName, UpdateDeclaration declaration) {

    /** Reads and checks a built module's ELF, name and declaration. */
    public static UpdateModule read(Path ko) {
        if (!Files.isRegularFile(ko)) {
            throw new UpdateException(ko + ": no such module file");
        }
        ElfObject elf = ElfObject.read(ko);
        String name = elf.moduleInfo().flatMap(dynamos.elf.ModuleInfo::name).orElseThrow(() -> new UpdateException(ko
                + " is not a kernel module built by kbuild (no name= in .modinfo); build it with: dynamos build DIR"));
        return new UpdateModule(ko, elf, name, UpdateDeclaration.of(elf));
    }

    /** The kernel release the module was built for (first word of its vermagic). */
    public String builtFor() {
        return elf.moduleInfo().flatMap(dynamos.elf.ModuleInfo::vermagic).map(v -> v.split(" ")[0]).orElse("?");
    }

    /**
     * Names the declaration uses that the module does not define as functions: a typo in a macro, or a
     * function the compiler removed.
     */
    public List<String> missingFunctions() {
        List<String> missing = new ArrayList<>();
        for (String fn : declaration.moduleFunctions()) {
            boolean defined = elf.symbols(fn).stream()
                    .anyMatch(s -> !s.isUndefined() && s.type() == ElfSymbol.STT_FUNC);
            if (!defined) {
                missing.add(fn);
            }
        }
        return missing;
    }

    /** How the framework names a function of this module: {@code module:symbol}. */
    public String qualified(String function) {
        return moduleName + ":" + function;
    }
}
