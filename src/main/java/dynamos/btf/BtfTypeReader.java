package dynamos.btf;

import dynamos.btf.BtfType.Array;
import dynamos.btf.BtfType.Const;
import dynamos.btf.BtfType.Datasec;
import dynamos.btf.BtfType.DeclTag;
import dynamos.btf.BtfType.Enum;
import dynamos.btf.BtfType.Enum64;
import dynamos.btf.BtfType.Enumerator;
import dynamos.btf.BtfType.Float;
import dynamos.btf.BtfType.Func;
import dynamos.btf.BtfType.FuncProto;
import dynamos.btf.BtfType.Fwd;
import dynamos.btf.BtfType.Int;
import dynamos.btf.BtfType.Member;
import dynamos.btf.BtfType.Param;
import dynamos.btf.BtfType.Ptr;
import dynamos.btf.BtfType.Restrict;
import dynamos.btf.BtfType.Struct;
import dynamos.btf.BtfType.TypeTag;
import dynamos.btf.BtfType.Typedef;
import dynamos.btf.BtfType.Union;
import dynamos.btf.BtfType.Var;
import dynamos.btf.BtfType.VarPlacement;
import dynamos.btf.BtfType.Volatile;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Decodes the type section of a BTF blob: a sequence of {@code struct btf_type} records (name offset, info
 * word, size-or-type), each followed by kind-specific data whose length depends on the kind and {@code vlen}.
 */
final class BtfTypeReader {
    private final ByteBuffer data;
    private final String origin;
    private final LongFunction<String> strings;
    private int position;
    private final int end;

    BtfTypeReader(ByteBuffer data, BtfHeader header, String origin, LongFunction<String> strings) {
        this.data = data;
        this.origin = origin;
        this.strings = strings;
        this.position = (int) header.typeStart();
        this.end = (int) (header.typeStart() + Integer.toUnsignedLong(header.typeLength()));
    }

    /** All types of the section, the first numbered {@code firstId}. */
    List<BtfType> readAll(int firstId) {
        List<BtfType> types = new ArrayList<>();
        int id = firstId;
        while (position < end) {
            types.add(readType(id++));
        }
        return types;
    }

    private BtfType readType(int id) {
        int start = position;
        String name = name(u32());
        int info = u32Int();
        int sizeOrType = u32Int();
        int vlen = info & 0xffff;
        int kindNumber = (info >>> 24) & 0x1f;
        boolean kindFlag = (info >>> 31) != 0;
        BtfKind kind = BtfKind.ofNumber(kindNumber);
        if (kind == null || kind == BtfKind.VOID) {
            throw new BtfException(origin + ": type " + id + " (at byte " + start + ") has kind " + kindNumber
                    + ", which this reader does not know; the BTF is from a newer kernel than dynamos supports,"
                    + " or corrupt");
        }
        long size = Integer.toUnsignedLong(sizeOrType);
        return switch (kind) {
            case INT -> {
                int encoding = u32Int();
                yield new Int(id, name, sizeOrType, (encoding >>> 24) & 0xf, (encoding >>> 16) & 0xff, encoding & 0xff);
            }
            case PTR -> new Ptr(id, sizeOrType);
            case ARRAY -> new Array(id, u32Int(), u32Int(), u32());
            case STRUCT -> new Struct(id, name, size, members(vlen, kindFlag));
            case UNION -> new Union(id, name, size, members(vlen, kindFlag));
            case ENUM -> {
                List<Enumerator> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    String valueName = name(u32());
                    int raw = u32Int();
                    values.add(new Enumerator(valueName, kindFlag ? raw : Integer.toUnsignedLong(raw)));
                }
                yield new Enum(id, name, size, kindFlag, values);
            }
            case FWD -> new Fwd(id, name, kindFlag);
            case TYPEDEF -> new Typedef(id, name, sizeOrType);
            case VOLATILE -> new Volatile(id, sizeOrType);
            case CONST -> new Const(id, sizeOrType);
            case RESTRICT -> new Restrict(id, sizeOrType);
            case FUNC -> new Func(id, name, sizeOrType, vlen);
            case FUNC_PROTO -> {
                List<Param> params = new ArrayList<>(vlen);
                boolean variadic = false;
                for (int i = 0; i < vlen; i++) {
                    long paramName = u32();
                    int paramType = u32Int();
                    if (i == vlen - 1 && paramName == 0 && paramType == 0) {
                        variadic = true;
                    } else {
                        params.add(new Param(name(paramName), paramType));
                    }
                }
                yield new FuncProto(id, sizeOrType, params, variadic);
            }
            case VAR -> new Var(id, name, sizeOrType, u32Int());
            case DATASEC -> {
                List<VarPlacement> variables = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    variables.add(new VarPlacement(u32Int(), u32(), u32()));
                }
                yield new Datasec(id, name, size, variables);
            }
            case FLOAT -> new Float(id, name, size);
            case DECL_TAG -> new DeclTag(id, name, sizeOrType, u32Int());
            case TYPE_TAG -> new TypeTag(id, name, sizeOrType);
            case ENUM64 -> {
                List<Enumerator> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    String valueName = name(u32());
                    long low = u32();
                    long high = u32();
                    values.add(new Enumerator(valueName, (high << 32) | low));
                }
                yield new Enum64(id, name, size, kindFlag, values);
            }
            case VOID -> throw new IllegalStateException("unreachable");
        };
    }

    /** With the kind flag set, a member's offset word holds the bitfield size in its top 8 bits. */
    private List<Member> members(int count, boolean kindFlag) {
        List<Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String memberName = name(u32());
            int type = u32Int();
            long offset = u32();
            members.add(kindFlag
                    ? new Member(memberName, type, offset & 0xffffff, (int) (offset >>> 24))
                    : new Member(memberName, type, offset, 0));
        }
        return members;
    }

    private String name(long offset) {
        return offset == 0 ? "" : strings.apply(offset);
    }

    private long u32() {
        return Integer.toUnsignedLong(u32Int());
    }

    private int u32Int() {
        if (position + 4 > end) {
            throw BtfHeader.corrupt(origin, "the last type runs past the end of the type section");
        }
        int value = data.getInt(position);
        position += 4;
        return value;
    }
}
