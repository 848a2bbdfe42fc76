package dynamos.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns undefined symbols of a relocatable object into absolute ones: {@code st_shndx = SHN_ABS},
 * {@code st_value = address}. The kernel's module loader takes an {@code SHN_ABS} symbol's value as is
 * and applies relocations against it, so an update module can call kernel functions and use kernel data
 * that are not exported, at addresses read from the running kernel.
 *
 * <p>Only the 8-byte value and 2-byte section index of each named symbol entry change; binding, type,
 * size and every other byte of the file stay as they were, so relocations (which name symbols by index)
 * still apply.
 */
public final class AbsoluteSymbolRewriter {
    private AbsoluteSymbolRewriter() {}

    /**
     * Returns a copy of {@code object} whose undefined symbols named in {@code addresses} are absolute at
     * the given addresses.
     *
     * @throws ElfException naming every key of {@code addresses} that is not an undefined symbol of the
     *     object (nothing is changed then), or when the object is not relocatable
     */
    public static ElfObject rewrite(ElfObject object, Map<String, Long> addresses) {
        if (!object.isRelocatable()) {
            throw new ElfException(object.origin() + " is not a relocatable object (e_type " + object.fileType()
                    + "); only .o and .ko files have undefined symbols to bind");
        }
        List<String> problems = new ArrayList<>();
        for (String name : new TreeMap<>(addresses).keySet()) {
            List<ElfSymbol> named = object.symbols(name);
            if (named.isEmpty()) {
                problems.add(name + " is not a symbol of the module");
            } else if (named.stream().noneMatch(ElfSymbol::isUndefined)) {
                ElfSymbol s = named.getFirst();
                problems.add(name + " is defined in the module (section " + object.sectionName(s.sectionIndex())
                        + "), not undefined");
            }
            if (addresses.get(name) == null) {
                problems.add(name + " has no address");
            }
        }
        if (!problems.isEmpty()) {
            throw new ElfException("cannot bind symbols of " + object.origin() + ": " + String.join("; ", problems)
                    + ". Only undefined symbols can be given addresses; undefined here: "
                    + undefinedNames(object));
        }

        byte[] bytes = object.bytes();
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (ElfSymbol symbol : object.undefinedSymbols()) {
            Long address = addresses.get(symbol.name());
            if (address != null) {
                int at = object.symbolEntryOffset(symbol);
                data.putShort(at + 6, (short) ElfSymbol.SHN_ABS);
                data.putLong(at + 8, address);
            }
        }
        return ElfObject.parse(bytes, object.origin());
    }

    /**
     * Reads {@code input}, binds the symbols as {@link #rewrite(ElfObject, Map)} does, and writes the
     * result to {@code output} (replacing it atomically; {@code input} may be the same path).
     *
     * @return the rewritten object
     */
    public static ElfObject rewrite(Path input, Map<String, Long> addresses, Path output) {
        ElfObject rewritten = rewrite(ElfObject.read(input), addresses);
        Path absolute = output.toAbsolutePath();
        try {
            Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
            try {
                Files.write(temporary, rewritten.bytes());
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new ElfException("cannot write " + output + ": " + e.getMessage()
                    + "; check that its directory exists and is writable", e);
        }
        return ElfObject.parse(rewritten.bytes(), output.toString());
    }

    private static String undefinedNames(ElfObject object) {
        List<String> names = object.undefinedSymbols().stream().map(ElfSymbol::name).distinct().sorted().toList();
        if (names.isEmpty()) {
            return "(none)";
        }
        int shown = Math.min(names.size(), 30);
        String list = String.join(", ", names.subList(0, shown));
        return shown < names.size() ? list + ", ... (" + (names.size() - shown) + " more)" : list;
    }
}
