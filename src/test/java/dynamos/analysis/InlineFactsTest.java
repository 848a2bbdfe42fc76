package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.dwarf.DebugInfo;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inlining facts on the made-up kernel ({@link SyntheticKernel}, {@code _text} at 0xffffffff81000000):
 * the cache file's round trip, the holders found by address, and what explanations, build advice and the
 * summary say with them.
 */
class InlineFactsTest {
    private final KernelFacts facts = SyntheticKernel.facts(SyntheticKernel.CALLS);
    private final List<Classification> all = Classifier.classify(facts);

    /** Offsets from _text, as the cache stores them. */
    static final InlineFacts DATA = new InlineFacts("6.1.0-test-amd64", List.of(
            new DebugInfo.Function("direct_fn", "kernel/a.c", "kernel/a.c", 0x1000, 1),            // 0
            new DebugInfo.Function("foo", "fs/one.c", "fs/one.c", 0x1100, 2),                       // 1
            new DebugInfo.Function("helper", "kernel/a.c", "kernel/a.c", 0x1200, 1),               // 2
            new DebugInfo.Function("foo", "fs/two.c", "fs/two.c", 0x1300, 1),                       // 3
            new DebugInfo.Function("start_kernel_like", "init/main.c", "init/main.c", 0x1001000, 1), // 4
            new DebugInfo.Function("gone", "x.c", "x.c", 0x7777, 1)),                                // 5: no symbol there
            List.of(
                    new DebugInfo.InlinedCopy("inl_only", "include/linux/x.h", 0, 1),
                    new DebugInfo.InlinedCopy("inl_only", "include/linux/x.h", 3, 2),
                    new DebugInfo.InlinedCopy("inl_only", "include/linux/x.h", 4, 1),
                    new DebugInfo.InlinedCopy("inl_only", "include/linux/x.h", 2, 1),
                    new DebugInfo.InlinedCopy("direct_fn", "kernel/a.c", 1, 1),
                    new DebugInfo.InlinedCopy("direct_fn", "other/b.c", 3, 1),
                    new DebugInfo.InlinedCopy("never_live", "y.h", 4, 1)));

    private final Inlining inlining = Inlining.of(DATA, facts);

    @Test
    void theCacheFileRoundTrips(@TempDir Path tmp) {
        Path file = tmp.resolve("analysis").resolve(InlineFacts.FILE);
        DATA.write(file);
        assertThat(InlineFacts.read(file)).isEqualTo(DATA);
    }

    @Test
    void aDamagedOrForeignCacheFileSaysHowToRebuildIt(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve(InlineFacts.FILE);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("# dynamos inlining 1\nI\tx\tf\t9\t1\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> InlineFacts.read(file)).isInstanceOf(AnalysisException.class)
                .hasMessageContaining("names function 9 of 0").hasMessageContaining("dynamos analyze --debug-info");
        Files.writeString(tmp.resolve("plain"), "not gzip");
        assertThatThrownBy(() -> InlineFacts.read(tmp.resolve("plain"))).isInstanceOf(AnalysisException.class)
                .hasMessageContaining("delete it and derive it again");
    }

    @Test
    void holdersAreTheTextSymbolsAtTheFunctionsAddresses() {
        assertThat(inlining.copiesOf("inl_only")).extracting(Inlining.Copy::holder)
                .containsExactly("direct_fn", "foo#2", "helper", "start_kernel_like");
        assertThat(inlining.copiesOf("nothing")).isEmpty();
        // A namesake in another file is another function: only the copies of its own file count.
        assertThat(inlining.copiesOfSymbol("direct_fn")).extracting(Inlining.Copy::holder).containsExactly("foo#1");
        assertThat(inlining.sourceOf("foo#1")).isEqualTo("fs/one.c");
        assertThat(inlining.sourceOf("foo#2")).isEqualTo("fs/two.c");
        assertThat(inlining.sourceOf("asm_thing")).isNull();
    }

    @Test
    void aFunctionInlinedEverywhereNamesTheCallersToReplace() {
        Explanation e = Explanation.of("inl_only", all, facts, null, inlining);
        assertThat(e.verdict()).contains("inlined into 3 function(s)").contains("direct_fn, foo#2, helper");
        // helper has no ftrace site: its callers (direct_fn, foo#2) are replaced instead, once each.
        assertThat(e.declarations()).containsExactly("DYNAMOS_REPLACE(1, direct_fn, direct_fn_v2);",
                "DYNAMOS_REPLACE(2, foo, foo_v2);", "DYNAMOS_SYMBOL(foo, 2);");
        assertThat(e.notes()).contains("1 more copy is in init code, freed after boot");
        assertThat(e.inlinedInto()).hasSize(4);
        assertThat(e.updatable()).as("every live holder can be replaced").isTrue();
        // Without the DWARF facts: as before, and the way to get them.
        Explanation plain = Explanation.of("inl_only", all, facts);
        assertThat(plain.verdict()).contains("inlined into all its callers");
        assertThat(plain.notes()).anyMatch(n -> n.contains("dynamos analyze --debug-info"));
        assertThat(plain.updatable()).isFalse();
    }

    @Test
    void aFunctionAlsoInlinedSaysWhichCallersKeepOldCopies() {
        Explanation e = Explanation.of("direct_fn", all, facts, null, inlining);
        assertThat(e.declarations()).containsExactly("DYNAMOS_REPLACE(1, direct_fn, direct_fn_v2);");
        assertThat(e.notes()).anyMatch(n -> n.startsWith("direct_fn is also inlined into 1 function(s): foo#1;"))
                .contains("to reach the inlined copies too: DYNAMOS_REPLACE(2, foo, foo_v2);");
    }

    @Test
    void aCopyInAFunctionThatCannotBeUpdatedIsNamed() {
        InlineFacts data = new InlineFacts("t", List.of(
                new DebugInfo.Function("taken", "k.c", "k.c", 0x1500, 1),
                new DebugInfo.Function("direct_fn", "kernel/a.c", "kernel/a.c", 0x1000, 1)), List.of(
                new DebugInfo.InlinedCopy("inl", "i.h", 0, 1), new DebugInfo.InlinedCopy("inl", "i.h", 1, 1)));
        Explanation e = Explanation.of("inl", all, facts, null, Inlining.of(data, facts));
        assertThat(e.updatable()).as("taken holds a copy and is not updatable").isFalse();
        assertThat(e.declarations()).containsExactly("DYNAMOS_REPLACE(1, direct_fn, direct_fn_v2);");
        assertThat(e.notes()).anyMatch(n -> n.startsWith("taken holds a copy of inl but is not updatable"));
    }

    @Test
    void namesakesShowTheirSourceFilePerPosition() {
        Explanation e = Explanation.of("foo", all, facts, null, inlining);
        assertThat(e.notes()).contains("DYNAMOS_SYMBOL(foo, 1) is the foo of fs/one.c",
                "DYNAMOS_SYMBOL(foo, 2) is the foo of fs/two.c");
    }

    @Test
    void buildWarnsAboutCopiesTheUpdateWillNotReach() {
        List<String> notes = BuildAdvice.notes(all, facts, List.of("direct_fn"), inlining);
        assertThat(notes).containsExactly("warning: direct_fn is also inlined into 1 function(s) whose copies the"
                + " update will not reach: foo#1; replace them too to change every call (dynamos analyze direct_fn)");
        assertThat(BuildAdvice.notes(all, facts, List.of("direct_fn"))).as("without DWARF: as before").isEmpty();
        assertThat(BuildAdvice.notes(all, facts, List.of("inl_only"), inlining)).singleElement().asString()
                .contains("inlined into 3 function(s)").contains("direct_fn, foo#2, helper");
    }

    @Test
    void theCountsAndTheSummaryRow() {
        Inlining.Counts c = inlining.counts(all);
        // (inl_only, x.h), (direct_fn, a.c), (direct_fn, b.c) have live holders; never_live only an init one.
        assertThat(c).isEqualTo(new Inlining.Counts(3, 1, 1, 1));
        Summary s = Summary.of("t", all, true, c);
        assertThat(s.rows().getLast().label()).isEqualTo(Summary.ALSO_INLINED);
        assertThat(s.rows().getLast().count()).isEqualTo(1);
        assertThat(Summary.of("t", all, true, null).rows()).hasSize(s.rows().size() - 1);
    }

    @Test
    void factsOfAnotherKernelAreRefused() {
        assertThat(inlining.matchedShare()).as("5 of the 6 functions lie at a symbol").isEqualTo(5.0 / 6);
        InlineFacts other = new InlineFacts("6.1.0-test-amd64", List.of(
                new DebugInfo.Function("direct_fn", "kernel/a.c", "kernel/a.c", 0x1008, 1),
                new DebugInfo.Function("helper", "kernel/a.c", "kernel/a.c", 0x1208, 1)), List.of());
        assertThatThrownBy(() -> Inlining.of(other, facts).checkMatches("FILE")).isInstanceOf(AnalysisException.class)
                .hasMessageContaining("do not match kernel 6.1.0-test-amd64: only 0%")
                .hasMessageContaining("dynamos analyze --debug-info --kernel-version 6.1.0-test-amd64");
        InlineFacts same = new InlineFacts("6.1.0-test-amd64", List.of(
                new DebugInfo.Function("direct_fn", "kernel/a.c", "kernel/a.c", 0x1000, 1),
                new DebugInfo.Function("helper", "kernel/a.c", "kernel/a.c", 0x1200, 1)), List.of());
        assertThat(Inlining.of(same, facts).checkMatches("FILE").matchedShare()).isEqualTo(1.0);
    }

    @Test
    void aPackageWithoutTheKernelsVmlinuxIsRefusedAndNothingIsLeft(@TempDir Path tmp) throws Exception {
        Path tree = tmp.resolve("pkg");
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.createDirectories(tree.resolve("usr/share/doc/x"));
        Files.writeString(tree.resolve("usr/share/doc/x/README"), "not a kernel\n");
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: x\nVersion: 1\nArchitecture: amd64\n"
                + "Maintainer: test <t@example.org>\nDescription: test\n");
        Path deb = tmp.resolve("x.deb");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("dpkg-deb", "--build", tree.toString(),
                deb.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start()
                .waitFor() == 0, "no dpkg-deb");
        dynamos.kernel.KernelRelease kernel = new dynamos.kernel.KernelRelease("6.1.0-test-amd64", tmp.resolve("k"));
        assertThatThrownBy(() -> DebugInfoDownload.derive(kernel, deb)).isInstanceOf(AnalysisException.class)
                .hasMessageContaining("holds no usr/lib/debug/boot/vmlinux-6.1.0-test-amd64")
                .hasMessageContaining("is it linux-image-6.1.0-test-amd64-dbg?");
        assertThat(FactsCache.dir(kernel).resolve(".debug-info.partial")).doesNotExist();
        assertThat(deb).as("a given package is never deleted").exists();
        assertThatThrownBy(() -> DebugInfoDownload.derive(kernel, tmp.resolve("log")))
                .isInstanceOf(AnalysisException.class).hasMessageContaining("not a little-endian ELF64 file");
    }

    @Test
    void aFunctionGccReplacedByACopyKeepsThatVerdictAndNamesItsInlinedCopies() {
        InlineFacts data = new InlineFacts("t", List.of(
                new DebugInfo.Function("direct_fn", "kernel/a.c", "kernel/a.c", 0x1000, 1)), List.of(
                new DebugInfo.InlinedCopy("bar", "b.c", 0, 1)));
        Explanation e = Explanation.of("bar", all, facts, null, Inlining.of(data, facts));
        assertThat(e.verdict()).contains("GCC replaced it by bar.isra.0");
        assertThat(e.notes()).contains("bar is also inlined into 1 function(s): direct_fn",
                "to reach the inlined copies: DYNAMOS_REPLACE(1, direct_fn, direct_fn_v2);");
        assertThat(e.inlinedInto()).extracting(Inlining.Copy::holder).containsExactly("direct_fn");
    }
}
