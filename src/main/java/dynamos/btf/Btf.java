package dynamos.btf;

import dynamos.btf.BtfType.Func;
import dynamos.btf.BtfType.FuncProto;
import dynamos.btf.BtfType.Param;
import dynamos.elf.ElfObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The types of one BTF blob, e.g. {@code /sys/kernel/btf/vmlinux}, or of a split blob such as
 * {@code /sys/kernel/btf/<module>} or a module's {@code .BTF} section, which extends a base (the
 * kernel's BTF): its type ids continue after the base's last id, and its string offsets continue after
 * the base's string section. Lookups by id and name see the base's types too.
 */
public final class Btf {
    /** The section that holds BTF in an ELF file (vmlinux, or a module built with BTF). */
    public static final String ELF_SECTION = ".BTF";

    private final String origin;
    private final Btf base;
    private final BtfHeader header;
    private final byte[] blob;
    private final int firstTypeId;
    private final long firstStringOffset;
    private final List<BtfType> types;
    private Map<String, List<Func>> functionsByName;

    private Btf(byte[] blob, Btf base, String origin) {
        this.origin = origin;
        this.base = base;
        this.blob = blob;
        this.header = BtfHeader.parse(blob, origin);
        this.firstTypeId = base == null ? 1 : base.lastTypeId() + 1;
        this.firstStringOffset = base == null ? 0 : base.stringSectionEnd();
        if (base == null && (header.stringLength() == 0 || blob[(int) header.stringStart()] != 0)) {
            throw new BtfException(origin + ": the string section does not start with the empty string as base BTF"
                    + " does; this looks like split BTF (a module's), so parse it with its base: the kernel's"
                    + " vmlinux BTF (parseSplit, readSplit or fromElf(module, base))");
        }
        ByteBuffer data = ByteBuffer.wrap(blob).order(header.byteOrder());
        this.types = List.copyOf(new BtfTypeReader(data, header, origin, this::string).readAll(firstTypeId));
    }

    /** Parses a complete (base) BTF blob; {@code origin} names it in messages. */
    public static Btf parse(byte[] blob, String origin) {
        return new Btf(blob, null, origin);
    }

    /** Parses a split BTF blob whose types and strings continue those of {@code base}. */
    public static Btf parseSplit(byte[] blob, Btf base, String origin) {
        return new Btf(blob, base, origin);
    }

    /** Reads a base blob from a file such as {@code /sys/kernel/btf/vmlinux}. */
    public static Btf read(Path file) {
        return parse(readBytes(file), file.toString());
    }

    /** Reads a split blob from a file such as {@code /sys/kernel/btf/<module>}. */
    public static Btf readSplit(Path file, Btf base) {
        return parseSplit(readBytes(file), base, file.toString());
    }

    /** The {@code .BTF} section of an ELF file with complete BTF (a vmlinux). */
    public static Btf fromElf(ElfObject elf) {
        return parse(btfSection(elf), elf.origin() + " " + ELF_SECTION);
    }

    /** The {@code .BTF} section of a kernel module, split against {@code base} (the kernel's BTF). */
    public static Btf fromElf(ElfObject module, Btf base) {
        return parseSplit(btfSection(module), base, module.origin() + " " + ELF_SECTION);
    }

    /** The raw {@code .BTF} section of {@code elf}. */
    public static byte[] btfSection(ElfObject elf) {
        return elf.contents(ELF_SECTION).orElseThrow(() -> new BtfException(elf.origin() + " has no " + ELF_SECTION
                + " section; build it with BTF (CONFIG_DEBUG_INFO_BTF / _MODULES and pahole installed)"));
    }

    public String origin() {
        return origin;
    }

    public BtfHeader header() {
        return header;
    }

    /** The base this split BTF extends; empty for base BTF. */
    public Optional<Btf> base() {
        return Optional.ofNullable(base);
    }

    /** The id of this blob's first type: 1, or one past the base's last id. */
    public int firstTypeId() {
        return firstTypeId;
    }

    /** The id of this blob's last type (one less than {@link #firstTypeId()} when it has none). */
    public int lastTypeId() {
        return firstTypeId + types.size() - 1;
    }

    /** This blob's own types, in id order (the base's are not included). */
    public List<BtfType> types() {
        return types;
    }

    /** The type with {@code id}, looked up in the base for ids below {@link #firstTypeId()}; 0 is void. */
    public BtfType type(int id) {
        if (id == 0) {
            return new BtfType.VoidType();
        }
        if (id < firstTypeId && base != null) {
            return base.type(id);
        }
        if (id < firstTypeId || id > lastTypeId()) {
            throw new BtfException(origin + " has no type " + Integer.toUnsignedString(id) + " (its ids are "
                    + (base == null ? 1 : base.firstTypeId) + ".." + lastTypeId() + ")"
                    + (base == null && id > lastTypeId() ? "; is this split BTF that needs its base (vmlinux)?" : ""));
        }
        return types.get(id - firstTypeId);
    }

    /** The string at {@code offset}, in this blob's string section or (for split BTF) its base's. */
    public String string(long offset) {
        if (offset < firstStringOffset) {
            return base.string(offset);
        }
        long local = offset - firstStringOffset;
        if (local >= Integer.toUnsignedLong(header.stringLength())) {
            throw BtfHeader.corrupt(origin, "string offset " + offset + " lies outside the string section"
                    + (base == null ? " (is this split BTF that needs its base?)" : ""));
        }
        int start = (int) (header.stringStart() + local);
        int limit = (int) (header.stringStart() + Integer.toUnsignedLong(header.stringLength()));
        int end = start;
        while (end < limit && blob[end] != 0) {
            end++;
        }
        return new String(blob, start, end - start, StandardCharsets.UTF_8);
    }

    /** Every FUNC called {@code name}, the base's first (static functions of different files may share a name). */
    public List<Func> functions(String name) {
        List<Func> found = new ArrayList<>(base == null ? List.of() : base.functions(name));
        found.addAll(functionsByName().getOrDefault(name, List.of()));
        return found;
    }

    /**
     * The FUNC called {@code name}.
     *
     * @throws BtfException when several functions of that name have different prototypes
     */
    public Optional<Func> function(String name) {
        List<Func> found = functions(name);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        List<FunctionPrototype> prototypes = found.stream().map(this::prototype).toList();
        if (prototypes.stream().map(FunctionPrototype::typeSignature).distinct().count() > 1) {
            throw new BtfException(origin + " has " + prototypes.size() + " different functions called " + name + ": "
                    + String.join("; ", prototypes.stream().map(FunctionPrototype::toString).toList())
                    + "; choose one among functions(name)");
        }
        return Optional.of(found.getFirst());
    }

    /** The prototype of the function called {@code name}, rendered as C. */
    public Optional<FunctionPrototype> prototype(String functionName) {
        return function(functionName).map(this::prototype);
    }

    /** The prototype of {@code function}, rendered as C. */
    public FunctionPrototype prototype(Func function) {
        if (!(type(function.type()) instanceof FuncProto proto)) {
            throw BtfHeader.corrupt(origin, "function " + function.name() + " (type " + function.id()
                    + ") does not refer to a FUNC_PROTO");
        }
        TypeRenderer renderer = new TypeRenderer(this);
        List<FunctionPrototype.Parameter> parameters = new ArrayList<>();
        for (Param p : proto.params()) {
            parameters.add(new FunctionPrototype.Parameter(p.name(), renderer.render(p.type()),
                    renderer.declaration(p.type(), p.name())));
        }
        return new FunctionPrototype(function.name(), renderer.render(proto.returnType()), parameters,
                proto.variadic(), renderer.declaration(function.type(), function.name(), true));
    }

    /** Type {@code id} as a C type name, e.g. {@code struct pid *} or {@code void (*)(int)}. */
    public String render(int id) {
        return new TypeRenderer(this).render(id);
    }

    /** A C declaration of {@code name} with type {@code id}, e.g. {@code char buf[16]} or {@code void (*cb)(int)}. */
    public String declaration(int id, String name) {
        return new TypeRenderer(this).declaration(id, name);
    }

    @Override
    public String toString() {
        return "Btf[" + origin + ", types " + firstTypeId + ".." + lastTypeId() + "]";
    }

    private long stringSectionEnd() {
        return firstStringOffset + Integer.toUnsignedLong(header.stringLength());
    }

    private synchronized Map<String, List<Func>> functionsByName() {
        if (functionsByName == null) {
            Map<String, List<Func>> index = new HashMap<>();
            for (BtfType t : types) {
                if (t instanceof Func f) {
                    index.computeIfAbsent(f.name(), k -> new ArrayList<>(1)).add(f);
                }
            }
            functionsByName = index;
        }
        return functionsByName;
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BtfException("cannot read " + file + ": " + e.getMessage()
                    + (file.startsWith("/sys/kernel/btf") ? "; the kernel needs CONFIG_DEBUG_INFO_BTF" : ""), e);
        }
    }
}
