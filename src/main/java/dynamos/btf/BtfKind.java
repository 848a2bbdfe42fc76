package dynamos.btf;

/** The kind of a BTF type: bits 24..28 of a type's {@code info} word, numbered as in the kernel's {@code btf.h}. */
public enum BtfKind {
    VOID(0),
    INT(1),
    PTR(2),
    ARRAY(3),
    STRUCT(4),
    UNION(5),
    ENUM(6),
    FWD(7),
    TYPEDEF(8),
    VOLATILE(9),
    CONST(10),
    RESTRICT(11),
    FUNC(12),
    FUNC_PROTO(13),
    VAR(14),
    DATASEC(15),
    FLOAT(16),
    DECL_TAG(17),
    TYPE_TAG(18),
    ENUM64(19);

    private static final BtfKind[] BY_NUMBER = values();

    private final int number;

    BtfKind(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The kind numbered {@code number}, or {@code null} if this reader does not know it. */
    static BtfKind ofNumber(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }
}
