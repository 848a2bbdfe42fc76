package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.framework.HookKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UpdateDeclarationTest {
    /** The section as the macros lay it out: NUL-terminated strings, in any order. */
    static byte[] section(String... facts) {
        return (String.join("\0", facts) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsEveryKindOfFactWhateverTheirOrder() {
        UpdateDeclaration d = UpdateDeclaration.parse(section(
                "hook=pre_activation 1 3 check",
                "replace=1 3 may_open may_open_v3",
                "symbol=set_root 2",
                "replace=2 2 \"mod:fn\" fn_v2",
                "activate=1 3",
                "handler=1 choose",
                "init=setup",
                "replace=1 2 may_open may_open_v2",
                "update=fix"), "test.ko");
        assertThat(d.name()).isEqualTo("fix");
        assertThat(d.ids()).containsExactly(1L, 2L);
        assertThat(d.versions(1)).extracting(UpdateDeclaration.Replacement::function).containsExactly("may_open_v2", "may_open_v3");
        assertThat(d.original(2)).isEqualTo("mod:fn");
        assertThat(d.activeVersion(1)).isEqualTo(3);
        assertThat(d.activeVersion(2)).isEqualTo(2);
        assertThat(d.handler(1)).contains("choose");
        assertThat(d.hooks()).containsExactly(new UpdateDeclaration.Hook(HookKind.PRE_ACTIVATION, 1, 3, "check"));
        assertThat(d.inits()).containsExactly("setup");
        assertThat(d.symbolPositions()).containsEntry("set_root", 2);
        assertThat(d.moduleFunctions()).containsExactly("may_open_v2", "may_open_v3", "fn_v2", "choose", "check", "setup");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> UpdateDeclaration.parse(section(
                "replace=1 3 may_open v3",
                "replace=2 2 a a_v2",
                "replace=2 2 b b_v2",
                "handler=7 h",
                "activate=1 9",
                "hook=sometimes 1 2 x",
                "symbol=set_root 0",
                "colour=blue"), "bad.ko"))
                .isInstanceOf(UpdateException.class)
                .hasMessageContaining("bad.ko")
                .hasMessageContaining("no DYNAMOS_UPDATE")
                .hasMessageContaining("id 1: version 3 (v3) leaves a gap")
                .hasMessageContaining("id 2 replaces two functions, a and b")
                .hasMessageContaining("version 2 (b_v2) is declared twice")
                .hasMessageContaining("DYNAMOS_HANDLER for id 7, which replaces nothing")
                .hasMessageContaining("DYNAMOS_ACTIVATE(1, 9)")
                .hasMessageContaining("unknown hook kind 'sometimes'")
                .hasMessageContaining("position 0")
                .hasMessageContaining("unknown declaration 'colour=blue'");
    }

    @Test
    void anUpdateMustReplaceSomethingAndHaveAUsableName() {
        assertThatThrownBy(() -> UpdateDeclaration.parse(section("update=has space"), "m.ko"))
                .hasMessageContaining("update name 'has space'")
                .hasMessageContaining("no DYNAMOS_REPLACE");
    }

    @Test
    void aCumulativeUpdateNamesTheUpdatesItReplaces() {
        UpdateDeclaration d = UpdateDeclaration.parse(section("update=fix2", "replace=1 2 f f_v2",
                "replaces=fix1", "replaces=other", "hook=target_coming 1 2 coming", "hook=target_going 1 2 going"), "c.ko");
        assertThat(d.replaces()).containsExactly("fix1", "other");
        assertThat(d.replacesAll()).isFalse();
        assertThat(d.cumulative()).isTrue();
        assertThat(d.hooks()).extracting(UpdateDeclaration.Hook::kind)
                .containsExactly(HookKind.TARGET_COMING, HookKind.TARGET_GOING);
        UpdateDeclaration all = UpdateDeclaration.parse(section("update=fix2", "replace=1 2 f f_v2", "replaces=*"), "c.ko");
        assertThat(all.replacesAll()).isTrue();
        assertThat(all.replaces()).isEmpty();
        assertThat(all.cumulative()).isTrue();
        assertThat(UpdateDeclaration.parse(section("update=u", "replace=1 2 f f_v2"), "u.ko").cumulative()).isFalse();
    }

    @Test
    void aFactRepeatedByAHeaderSeveralSourcesIncludeCountsOnce() {
        assertThat(UpdateDeclaration.parse(section("update=fix2", "replace=1 2 f f_v2", "replaces=fix1", "replaces=fix1",
                "update=fix2"), "c.ko").replaces()).containsExactly("fix1");
    }

    @Test
    void refusesReplacingItselfBadNamesOrNamesWithReplacesAll() {
        assertThatThrownBy(() -> UpdateDeclaration.parse(section("update=fix", "replace=1 2 f f_v2", "replaces=fix",
                "replaces=a", "replaces=*", "replaces=has/slash"), "bad.ko"))
                .hasMessageContaining("DYNAMOS_REPLACES(\"fix\") names the update itself")
                .hasMessageContaining("DYNAMOS_REPLACES(\"has/slash\"): not an update name")
                .hasMessageContaining("DYNAMOS_REPLACES_ALL() already replaces every applied update");
    }

    @Test
    void theHeaderDeclaresWhatTheParserReads() throws Exception {
        String header = java.nio.file.Files.readString(java.nio.file.Path.of("kernel/include/dynamos.h"));
        assertThat(header).contains("#define DYNAMOS_REPLACES(name) __DYNAMOS_DECLARE(\"replaces=\" name)")
                .contains("#define DYNAMOS_REPLACES_ALL() __DYNAMOS_DECLARE(\"replaces=" + UpdateDeclaration.ALL + "\")")
                .contains("target_coming").contains("target_going");
    }

    @Test
    void usesFactsOfBuildUsesAreReadOnceEach() {
        UpdateDeclaration d = UpdateDeclaration.parse(section("update=fix2", "replace=1 2 f f_v2",
                "uses=fix1 dynamos_fix1", "uses=fix1 dynamos_fix1", "uses=fix0 dynamos_fix0"), "fix2.ko");
        assertThat(d.uses()).containsExactly(new UpdateDeclaration.Use("fix1", "dynamos_fix1"),
                new UpdateDeclaration.Use("fix0", "dynamos_fix0"));
        assertThat(UpdateDeclaration.parse(section("update=u", "replace=1 2 f f_v2"), "u.ko").uses()).isEmpty();
        assertThatThrownBy(() -> UpdateDeclaration.parse(section("update=u", "replace=1 2 f f_v2", "uses=fix1"), "u.ko"))
                .hasMessageContaining("bad declaration 'uses=fix1': expected 2 word(s)");
    }
}
