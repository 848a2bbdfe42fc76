package dynamos.btf;

import java.util.List;

/**
 * One BTF type. Types refer to each other by id ({@code int} fields named {@code type}); {@link Btf#type(int)}
 * resolves an id. Id 0 is {@link VoidType}. Names are resolved from the string section; anonymous types
 * have the empty name.
 */
public sealed interface BtfType {
    int id();

    /** The type's name; empty for anonymous types and for kinds that have none (pointers, qualifiers, ...). */
    String name();

    BtfKind kind();

    /** Id 0: {@code void}, and "no type" where a type is optional. */
    record VoidType() implements BtfType {
        public int id() {
            return 0;
        }

        public String name() {
            return "void";
        }

        public BtfKind kind() {
            return BtfKind.VOID;
        }
    }

    /** An integer, char or bool. {@code encoding} holds the {@code SIGNED}, {@code CHAR} and {@code BOOL} bits. */
    record Int(int id, String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        public static final int SIGNED = 1;
        public static final int CHAR = 2;
        public static final int BOOL = 4;

        public BtfKind kind() {
            return BtfKind.INT;
        }

        public boolean isSigned() {
            return (encoding & SIGNED) != 0;
        }
    }

    record Ptr(int id, int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.PTR;
        }
    }

    record Array(int id, int elementType, int indexType, long elements) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    /**
     * A member of a struct or union.
     *
     * @param bitfieldSize 0 unless the member is a bitfield
     */
    record Member(String name, int type, long bitOffset, int bitfieldSize) {}

    record Struct(int id, String name, long size, List<Member> members) implements BtfType {
        public Struct {
            members = List.copyOf(members);
        }

        public BtfKind kind() {
            return BtfKind.STRUCT;
        }
    }

    record Union(int id, String name, long size, List<Member> members) implements BtfType {
        public Union {
            members = List.copyOf(members);
        }

        public BtfKind kind() {
            return BtfKind.UNION;
        }
    }

    record Enumerator(String name, long value) {}

    /** A 32-bit-valued enum; values are sign- or zero-extended as {@code signed} says. */
    record Enum(int id, String name, long size, boolean signed, List<Enumerator> values) implements BtfType {
        public Enum {
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM;
        }
    }

    /** An enum with 64-bit values. */
    record Enum64(int id, String name, long size, boolean signed, List<Enumerator> values) implements BtfType {
        public Enum64 {
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM64;
        }
    }

    /** A forward declaration of a struct or (if {@code union}) a union. */
    record Fwd(int id, String name, boolean union) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    record Typedef(int id, String name, int type) implements BtfType {
        public BtfKind kind() {
            return BtfKind.TYPEDEF;
        }
    }

    record Volatile(int id, int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.VOLATILE;
        }
    }

    record Const(int id, int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.CONST;
        }
    }

    record Restrict(int id, int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.RESTRICT;
        }
    }

    /**
     * A function: a name for a {@link FuncProto}.
     *
     * @param linkage {@link #STATIC}, {@link #GLOBAL} or {@link #EXTERN}
     */
    record Func(int id, String name, int type, int linkage) implements BtfType {
        public static final int STATIC = 0;
        public static final int GLOBAL = 1;
        public static final int EXTERN = 2;

        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    /** A parameter of a function prototype; the name is empty in prototypes of function pointer types. */
    record Param(String name, int type) {}

    /**
     * A function type. {@code variadic} is encoded in BTF as a last parameter with type 0 and no name; it
     * is not among {@code params}.
     */
    record FuncProto(int id, int returnType, List<Param> params, boolean variadic) implements BtfType {
        public FuncProto {
            params = List.copyOf(params);
        }

        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }
    }

    /** A global or static variable. */
    record Var(int id, String name, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /** A variable's place in a data section. */
    record VarPlacement(int type, long offset, long size) {}

    record Datasec(int id, String name, long size, List<VarPlacement> variables) implements BtfType {
        public Datasec {
            variables = List.copyOf(variables);
        }

        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    record Float(int id, String name, long size) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /**
     * An attribute on a declaration ({@code __attribute__((btf_decl_tag("...")))}).
     *
     * @param componentIndex -1 for the type itself, else the member or parameter index
     */
    record DeclTag(int id, String name, int type, int componentIndex) implements BtfType {
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }

    /** An attribute on a type ({@code __attribute__((btf_type_tag("...")))}, e.g. the kernel's {@code __user}). */
    record TypeTag(int id, String name, int type) implements BtfType {
        public BtfKind kind() {
            return BtfKind.TYPE_TAG;
        }
    }
}
