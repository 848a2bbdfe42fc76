package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SymbolNameTest {
    @Test
    void splitsGccSuffixesKeepingTheirNumbers() {
        SymbolName n = SymbolName.parse("do_thing.constprop.0.isra.0.cold");
        assertThat(n.base()).isEqualTo("do_thing");
        assertThat(n.suffixes()).containsExactly("constprop.0", "isra.0", "cold");
        assertThat(n.parent()).isEqualTo("do_thing.constprop.0.isra.0");
        assertThat(n.kind()).isEqualTo(PartKind.COLD);
    }

    @Test
    void eachSuffixHasItsKind() {
        assertThat(SymbolName.parse("pipe_read").kind()).isEqualTo(PartKind.ORIGINAL);
        assertThat(SymbolName.parse("pipe_read").suffixes()).isEmpty();
        assertThat(SymbolName.parse("pipe_read").parent()).isEqualTo("pipe_read");
        assertThat(SymbolName.parse("f.cold").kind()).isEqualTo(PartKind.COLD);
        assertThat(SymbolName.parse("f.part.3").kind()).isEqualTo(PartKind.PART);
        assertThat(SymbolName.parse("f.part.0.isra.0").kind()).as("a part, made a clone after").isEqualTo(PartKind.PART);
        assertThat(SymbolName.parse("f.isra.12").kind()).isEqualTo(PartKind.CLONE);
        assertThat(SymbolName.parse("f.constprop.0").kind()).isEqualTo(PartKind.CLONE);
        assertThat(SymbolName.parse("f.localalias").kind()).isEqualTo(PartKind.ALIAS);
        assertThat(SymbolName.parse("f.lto_priv.0").kind()).isEqualTo(PartKind.OTHER);
        assertThat(SymbolName.parse("f.lto_priv.0").suffixes()).isEqualTo(List.of("lto_priv.0"));
        assertThat(PartKind.COLD.isEntry()).isFalse();
        assertThat(PartKind.CLONE.isEntry()).isTrue();
    }

    @Test
    void aLeadingDotIsPartOfTheName() {
        SymbolName n = SymbolName.parse(".Lsomething");
        assertThat(n.base()).isEqualTo(".Lsomething");
        assertThat(n.kind()).isEqualTo(PartKind.ORIGINAL);
    }
}
