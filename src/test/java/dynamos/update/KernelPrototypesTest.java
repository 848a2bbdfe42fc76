package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.btf.Btf;
import dynamos.btf.KernelBtf;
import dynamos.btf.ModuleBtf;
import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prototype check on real objects: a module built during the test against the cached target
 * kernel's headers, its BTF encoded by pahole, compared with the kernel's BTF from the kernel image.
 */
class KernelPrototypesTest {
    @TempDir
    static Path dir;

    static KernelPrototypes check;
    static Btf module;

    @BeforeAll
    static void buildModule() throws Exception {
        KernelRelease kernel = KernelCache.atDefault().list().stream()
                .filter(k -> Files.isRegularFile(k.image()) && k.headersInstalled())
                .max(Comparator.comparing(KernelRelease::version)).orElse(null);
        assumeTrue(kernel != null, "no cached target kernel with headers (run: dynamos setup)");
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Kbuild"), "obj-m := dynamos_proto_test.o\n");
        Files.writeString(src.resolve("dynamos_proto_test.c"), """
                #include <linux/module.h>
                #include <linux/fs.h>
                #include <linux/path.h>

                /* Private to fs/namei.c in the kernel: a module's own copy must still match by name. */
                struct nameidata { int copy_of_a_private_struct; };

                noinline int same_as_may_open(struct user_namespace *u, const struct path *p, int a, int f)
                {
                	return a + f + (u != NULL) + (p != NULL);
                }

                noinline long other_than_may_open(const struct path *p)
                {
                	return p != NULL;
                }

                noinline void takes_nameidata(struct nameidata *nd)
                {
                	nd->copy_of_a_private_struct = 1;
                }
                MODULE_LICENSE("GPL");
                """);
        Path ko = ModuleBuild.build(src, dir.resolve("build"), kernel).getFirst();
        Path baseFile = KernelBtf.file(kernel);
        Btf base = Btf.read(baseFile);
        module = ModuleBtf.generate(ko, base, baseFile);
        check = new KernelPrototypes(base, module, kernel.version());
        assertThat(ko).as("the module itself is not changed").satisfies(p ->
                assertThat(dynamos.elf.ElfObject.read(p).section(".BTF")).isEmpty());
    }

    @Test
    void aVersionWithTheOriginalsPrototypePasses() {
        assertThat(module.prototype("same_as_may_open").orElseThrow().typeSignature())
                .isEqualTo("int (struct user_namespace *, const struct path *, int, int)");
        assertThat(check.check("may_open", "same_as_may_open")).isEmpty();
    }

    @Test
    void aMismatchNamesBothPrototypes() {
        List<UpdateCheck.PrototypeProblem> problems = check.check("may_open", "other_than_may_open");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.mismatch()).isTrue();
            assertThat(p.message()).contains("other_than_may_open: long int (const struct path *)")
                    .contains("may_open: int (struct user_namespace *, const struct path *, int, int)");
        });
    }

    @Test
    void privateStructsCompareByName() {
        // terminate_walk(struct nameidata *) is static in fs/namei.c.
        assertThat(check.check("terminate_walk", "takes_nameidata")).isEmpty();
    }

    @Test
    void unknownFunctionsOnEitherSideAreNamed() {
        assertThat(check.check("no_such_kernel_function", "same_as_may_open")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("no_such_kernel_function is not a function of kernel"));
        assertThat(check.check("may_open", "not_in_the_module")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("the module's BTF has no function not_in_the_module"));
    }
}
