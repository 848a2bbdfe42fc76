package dynamos.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.btf.BtfType.Func;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The BTF of the kernel these tests run on (whatever release it is): real data of every common kind. */
class HostKernelBtfTest {
    static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    static Btf btf;

    @BeforeAll
    static void read() {
        assumeTrue(Files.isReadable(VMLINUX), "this kernel has no CONFIG_DEBUG_INFO_BTF");
        btf = Btf.read(VMLINUX);
    }

    static FunctionPrototype prototype(String name) {
        var found = btf.prototype(name);
        assumeTrue(found.isPresent(), name + " is not in this kernel's BTF");
        return found.get();
    }

    @Test
    void readsTheWholeBlob() {
        assertThat(btf.header().version()).isEqualTo(1);
        assertThat(btf.base()).isEmpty();
        assertThat(btf.lastTypeId()).isGreaterThan(10_000);
        Map<BtfKind, Integer> kinds = new TreeMap<>();
        btf.types().forEach(t -> kinds.merge(t.kind(), 1, Integer::sum));
        assertThat(kinds).containsKeys(BtfKind.INT, BtfKind.PTR, BtfKind.ARRAY, BtfKind.STRUCT, BtfKind.UNION,
                BtfKind.ENUM, BtfKind.TYPEDEF, BtfKind.CONST, BtfKind.FUNC, BtfKind.FUNC_PROTO, BtfKind.VAR,
                BtfKind.DATASEC);
        assertThat(btf.types().getFirst().id()).isEqualTo(1);
    }

    /** One name per case, so that a function missing from this kernel skips only its own case. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            schedule        | void schedule(void)
            alloc_pid       | struct pid *alloc_pid(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size)
            pipe_write      | ssize_t pipe_write(struct kiocb *iocb, struct iov_iter *from)
            anon_pipe_write | ssize_t anon_pipe_write(struct kiocb *iocb, struct iov_iter *from)
            vfs_write       | ssize_t vfs_write(struct file *file, const char *buf, size_t count, loff_t *pos)
            _printk         | int _printk(const char *fmt, ...)
            """)
    void rendersWellKnownPrototypes(String name, String expected) {
        assertThat(prototype(name).toString()).isEqualTo(expected);
    }

    @Test
    void rendersFunctionPointerParameters() {
        FunctionPrototype kthread = prototype("kthread_create_on_node");
        assertThat(kthread.parameterTypes().getFirst()).isEqualTo("int (*)(void *)");
        assertThat(kthread.toString()).startsWith("struct task_struct *kthread_create_on_node(int (*threadfn)(void *), ");
        assertThat(kthread.variadic()).isTrue();
    }

    @Test
    void everyFunctionRenders() {
        int rendered = 0;
        for (BtfType t : btf.types()) {
            if (t instanceof Func f) {
                FunctionPrototype p = btf.prototype(f);
                assertThat(p.declaration()).contains(f.name() + "(");
                rendered++;
            }
        }
        assertThat(rendered).isGreaterThan(10_000);
    }

    @Test
    void comparesPrototypesOfRealFunctions() {
        FunctionPrototype schedule = prototype("schedule");
        FunctionPrototype ioSchedule = prototype("io_schedule");
        assertThat(ioSchedule.mismatchWith(schedule)).isEmpty();
        assertThat(prototype("vfs_write").mismatchWith(prototype("alloc_pid"))).hasValueSatisfying(m -> assertThat(m)
                .startsWith("ssize_t vfs_write(struct file *file, const char *buf, size_t count, loff_t *pos)"
                        + " does not match struct pid *alloc_pid(")
                .endsWith("it returns ssize_t instead of struct pid *"));
    }
}
