package dynamos.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.btf.BtfType.Array;
import dynamos.btf.BtfType.Enum;
import dynamos.btf.BtfType.Enum64;
import dynamos.btf.BtfType.Enumerator;
import dynamos.btf.BtfType.Func;
import dynamos.btf.BtfType.FuncProto;
import dynamos.btf.BtfType.Fwd;
import dynamos.btf.BtfType.Int;
import dynamos.btf.BtfType.Member;
import dynamos.btf.BtfType.Struct;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** BTF blobs written by {@link BtfBlobBuilder}, covering every kind and the C rendering rules. */
class BtfTest {
    static final int SIGNED = 1;
    static final int CHAR = 2;

    @Test
    void readsEveryKind() {
        BtfBlobBuilder b = new BtfBlobBuilder();
        int integer = b.integer("int", 4, SIGNED);
        int pointer = b.pointer(integer);
        int array = b.array(integer, integer, 16);
        int struct = b.struct("pair", 8, true, "low", integer, 3 << 24, "high", integer, 4 << 24 | 32);
        int union = b.union("either", 4, "i", integer, 0);
        int enumeration = b.enumeration("level", true, "LOW", -1, "HIGH", 7);
        int forward = b.forward("later", true);
        int typedef = b.typedef("myint", integer);
        int volatileInt = b.qualifier(9, integer);
        int constInt = b.constOf(integer);
        int restrictPointer = b.qualifier(11, pointer);
        int proto = b.prototype(integer, "x", integer);
        int function = b.function("f", proto);
        int variable = b.type(b.string("counter"), 14, false, 0, integer, 1);
        int section = b.type(b.string(".data"), 15, false, 1, 4, variable, 0, 4);
        int floating = b.type(b.string("double"), 16, false, 0, 8);
        int declTag = b.type(b.string("noinline"), 17, false, 0, function, -1);
        int typeTag = b.type(b.string("user"), 18, false, 0, integer);
        int enum64 = b.enumeration64("big", "HUGE", 0x1_0000_0002L);

        Btf btf = Btf.parse(b.build(), "test");

        assertThat(btf.firstTypeId()).isEqualTo(1);
        assertThat(btf.lastTypeId()).isEqualTo(enum64);
        assertThat(btf.types()).extracting(BtfType::kind)
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(BtfKind.values()).subList(1, 20));
        assertThat(btf.type(0)).isInstanceOf(BtfType.VoidType.class);
        assertThat(btf.type(integer)).isEqualTo(new Int(integer, "int", 4, SIGNED, 0, 32));
        assertThat(((Int) btf.type(integer)).isSigned()).isTrue();
        assertThat(btf.type(array)).isEqualTo(new Array(array, integer, integer, 16));
        assertThat(((Struct) btf.type(struct)).members()).containsExactly(
                new Member("low", integer, 0, 3), new Member("high", integer, 32, 4));
        assertThat(btf.type(union).name()).isEqualTo("either");
        assertThat(((Enum) btf.type(enumeration)).values())
                .containsExactly(new Enumerator("LOW", -1), new Enumerator("HIGH", 7));
        assertThat(btf.type(forward)).isEqualTo(new Fwd(forward, "later", true));
        assertThat(btf.type(typedef).name()).isEqualTo("myint");
        assertThat(btf.type(function)).isEqualTo(new Func(function, "f", proto, Func.GLOBAL));
        assertThat(((BtfType.Var) btf.type(variable)).name()).isEqualTo("counter");
        assertThat(((BtfType.Datasec) btf.type(section)).variables())
                .containsExactly(new BtfType.VarPlacement(variable, 0, 4));
        assertThat(btf.type(floating).name()).isEqualTo("double");
        assertThat(((BtfType.DeclTag) btf.type(declTag)).componentIndex()).isEqualTo(-1);
        assertThat(btf.type(typeTag).name()).isEqualTo("user");
        assertThat(((Enum64) btf.type(enum64)).values()).containsExactly(new Enumerator("HUGE", 0x1_0000_0002L));

        assertThat(btf.render(volatileInt)).isEqualTo("volatile int");
        assertThat(btf.render(constInt)).isEqualTo("const int");
        assertThat(btf.render(restrictPointer)).isEqualTo("int *restrict");
        assertThat(btf.render(typeTag)).isEqualTo("int");
        assertThat(btf.render(floating)).isEqualTo("double");
        assertThat(btf.render(enum64)).isEqualTo("enum big");
        assertThat(btf.render(forward)).isEqualTo("union later");
        assertThat(btf.render(variable)).isEqualTo("int counter");
        assertThatThrownBy(() -> btf.render(section)).isInstanceOf(BtfException.class)
                .hasMessageContaining("DATASEC, which is not a C type");
    }

    @Test
    void rendersCDeclaratorsInsideOut() {
        BtfBlobBuilder b = new BtfBlobBuilder();
        int integer = b.integer("int", 4, SIGNED);
        int character = b.integer("char", 1, CHAR | SIGNED);
        int constChar = b.constOf(character);
        int string = b.pointer(constChar);
        int constPointer = b.constOf(b.pointer(integer));
        int pointerPointer = b.pointer(b.pointer(character));
        int array = b.array(integer, integer, 16);
        int flexible = b.array(character, integer, 0);
        int pointerToArray = b.pointer(array);
        int callback = b.pointer(b.prototype(0, "", integer));
        int arrayOfCallbacks = b.array(callback, integer, 4);
        int returnsCallback = b.prototype(callback, "signal", integer);
        int anonymous = b.struct("", 4, false, "x", integer, 0);
        int size = b.typedef("size_t", b.integer("long unsigned int", 8, 0));

        Btf btf = Btf.parse(b.build(), "test");

        assertThat(btf.render(string)).isEqualTo("const char *");
        assertThat(btf.declaration(string, "name")).isEqualTo("const char *name");
        assertThat(btf.declaration(constPointer, "p")).isEqualTo("int *const p");
        assertThat(btf.render(pointerPointer)).isEqualTo("char **");
        assertThat(btf.declaration(array, "buf")).isEqualTo("int buf[16]");
        assertThat(btf.declaration(flexible, "data")).isEqualTo("char data[]");
        assertThat(btf.render(pointerToArray)).isEqualTo("int (*)[16]");
        assertThat(btf.render(callback)).isEqualTo("void (*)(int)");
        assertThat(btf.declaration(callback, "handler")).isEqualTo("void (*handler)(int)");
        assertThat(btf.declaration(arrayOfCallbacks, "table")).isEqualTo("void (*table[4])(int)");
        assertThat(btf.declaration(returnsCallback, "install")).isEqualTo("void (*install(int))(int)");
        assertThat(btf.render(anonymous)).isEqualTo("struct {...}");
        assertThat(btf.render(size)).isEqualTo("size_t");
    }

    @Test
    void buildsFunctionPrototypesWithParameterNames() {
        BtfBlobBuilder b = new BtfBlobBuilder();
        int integer = b.integer("int", 4, SIGNED);
        int pid = b.pointer(b.struct("pid", 8, false));
        int namespace = b.pointer(b.struct("pid_namespace", 8, false));
        int pidT = b.pointer(b.typedef("pid_t", integer));
        int size = b.typedef("size_t", b.integer("long unsigned int", 8, 0));
        b.function("alloc_pid", b.prototype(pid, "ns", namespace, "set_tid", pidT, "set_tid_size", size));
        b.function("schedule", b.prototype(0));
        int constChar = b.pointer(b.constOf(b.integer("char", 1, CHAR | SIGNED)));
        b.function("_printk", b.prototype(integer, "fmt", constChar, "", 0));
        int callback = b.pointer(b.prototype(integer, "", b.pointer(0)));
        b.function("run", b.prototype(integer, "fn", callback, "", integer));

        Btf btf = Btf.parse(b.build(), "test");

        FunctionPrototype allocPid = btf.prototype("alloc_pid").orElseThrow();
        assertThat(allocPid.toString())
                .isEqualTo("struct pid *alloc_pid(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size)");
        assertThat(allocPid.returnType()).isEqualTo("struct pid *");
        assertThat(allocPid.parameterTypes()).containsExactly("struct pid_namespace *", "pid_t *", "size_t");
        assertThat(allocPid.parameters()).extracting(FunctionPrototype.Parameter::name)
                .containsExactly("ns", "set_tid", "set_tid_size");
        assertThat(allocPid.typeSignature()).isEqualTo("struct pid *(struct pid_namespace *, pid_t *, size_t)");

        assertThat(btf.prototype("schedule").orElseThrow().toString()).isEqualTo("void schedule(void)");
        FunctionPrototype printk = btf.prototype("_printk").orElseThrow();
        assertThat(printk.toString()).isEqualTo("int _printk(const char *fmt, ...)");
        assertThat(printk.variadic()).isTrue();
        FunctionPrototype run = btf.prototype("run").orElseThrow();
        assertThat(run.toString()).isEqualTo("int run(int (*fn)(void *), int)");
        assertThat(run.parameters().getFirst().type()).isEqualTo("int (*)(void *)");
        assertThat(btf.prototype("missing")).isEmpty();
    }

    @Test
    void functionsOfTheSameNameMustAgreeToBeLookedUpByName() {
        BtfBlobBuilder b = new BtfBlobBuilder();
        int integer = b.integer("int", 4, SIGNED);
        b.function("helper", b.prototype(integer, "a", integer));
        b.function("helper", b.prototype(integer, "b", integer));
        b.function("clash", b.prototype(integer, "a", integer));
        b.function("clash", b.prototype(0));
        Btf btf = Btf.parse(b.build(), "test");

        assertThat(btf.functions("helper")).hasSize(2);
        assertThat(btf.prototype("helper").orElseThrow().toString()).isEqualTo("int helper(int a)");
        assertThatThrownBy(() -> btf.prototype("clash")).isInstanceOf(BtfException.class)
                .hasMessageContaining("2 different functions called clash")
                .hasMessageContaining("int clash(int a)").hasMessageContaining("void clash(void)");
    }

    @Test
    void splitBtfContinuesTheBasesIdsAndStrings() {
        BtfBlobBuilder baseBuilder = new BtfBlobBuilder();
        int integer = baseBuilder.integer("int", 4, SIGNED);
        int task = baseBuilder.struct("task_struct", 64, false);
        Btf base = Btf.parse(baseBuilder.build(), "vmlinux");

        BtfBlobBuilder moduleBuilder = BtfBlobBuilder.splitOf(baseBuilder);
        int taskPointer = moduleBuilder.pointer(task);
        // A name in the base's strings, and one only in the module's.
        int proto = moduleBuilder.prototype(integer, "task", taskPointer);
        int function = moduleBuilder.type(baseBuilder.string("task_struct"), 12, false, 1, proto);
        moduleBuilder.function("module_fn", proto);
        Btf module = Btf.parseSplit(moduleBuilder.build(), base, "module");

        assertThat(module.base()).contains(base);
        assertThat(module.firstTypeId()).isEqualTo(base.lastTypeId() + 1).isEqualTo(3);
        assertThat(module.types()).hasSize(4);
        assertThat(module.type(integer)).isSameAs(base.type(integer));
        assertThat(module.type(function).name()).isEqualTo("task_struct");
        assertThat(module.prototype("module_fn").orElseThrow().toString()).isEqualTo("int module_fn(struct task_struct *task)");
        assertThat(module.function("module_fn").orElseThrow().id()).isEqualTo(6);
        assertThatThrownBy(() -> module.type(7)).isInstanceOf(BtfException.class).hasMessageContaining("ids are 1..6");
        assertThatThrownBy(() -> base.type(3)).isInstanceOf(BtfException.class).hasMessageContaining("split BTF");
        // Without its base, the module's string offsets point past its own string section.
        assertThatThrownBy(() -> Btf.parse(moduleBuilder.build(), "module")).isInstanceOf(BtfException.class)
                .hasMessageContaining("looks like split BTF");
    }

    @Test
    void readsBigEndianBlobs() {
        BtfBlobBuilder b = new BtfBlobBuilder(1, 0, ByteOrder.BIG_ENDIAN);
        int integer = b.integer("int", 4, SIGNED);
        b.function("f", b.prototype(integer, "x", integer));
        Btf btf = Btf.parse(b.build(), "test");
        assertThat(btf.header().byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(btf.prototype("f").orElseThrow().toString()).isEqualTo("int f(int x)");
    }

    @Test
    void refusesBlobsThatAreNotBtfVersion1() {
        BtfBlobBuilder b = new BtfBlobBuilder();
        b.integer("int", 4, SIGNED);
        byte[] blob = b.build();

        assertThatThrownBy(() -> Btf.parse(new byte[10], "tiny")).isInstanceOf(BtfException.class)
                .hasMessageContaining("tiny is too short for BTF");
        byte[] badMagic = blob.clone();
        badMagic[0] = 0x7f;
        assertThatThrownBy(() -> Btf.parse(badMagic, "x")).hasMessageContaining("x is not BTF (no 0xeB9F magic)");
        byte[] version2 = blob.clone();
        version2[2] = 2;
        assertThatThrownBy(() -> Btf.parse(version2, "x")).hasMessageContaining("BTF version 2");
        assertThatThrownBy(() -> Btf.parse(Arrays.copyOf(blob, blob.length - 3), "cut"))
                .hasMessageContaining("cut holds truncated or corrupt BTF: string section ends past");
    }

    @Test
    void refusesUnknownKindsAndTruncatedTypes() {
        BtfBlobBuilder unknown = new BtfBlobBuilder();
        unknown.type(0, 25, false, 0, 0);
        assertThatThrownBy(() -> Btf.parse(unknown.build(), "x")).isInstanceOf(BtfException.class)
                .hasMessageContaining("type 1 (at byte 24) has kind 25");

        BtfBlobBuilder truncated = new BtfBlobBuilder();
        truncated.type(0, 4, false, 2, 8, 0, 0, 0); // says two members, holds one
        assertThatThrownBy(() -> Btf.parse(truncated.build(), "x")).isInstanceOf(BtfException.class)
                .hasMessageContaining("runs past the end of the type section");

        BtfBlobBuilder cyclic = new BtfBlobBuilder();
        cyclic.pointer(1);
        Btf btf = Btf.parse(cyclic.build(), "x");
        assertThatThrownBy(() -> btf.render(1)).isInstanceOf(BtfException.class).hasMessageContaining("cycle");
    }
}
