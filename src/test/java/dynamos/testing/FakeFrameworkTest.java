package dynamos.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.framework.Framework;
import dynamos.framework.VersionTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fake keeps the kernel's version table rules that the transaction tests rely on. */
class FakeFrameworkTest {
    private final FakeFramework fw = new FakeFramework();

    @Test
    void versionsAreNumberedAfterTheNewestAndTheActiveOneIsNeverRemoved() {
        assertThat(fw.register("a", 1, "f")).isEqualTo(1);
        assertThat(fw.register("a", 1, "m:g")).isEqualTo(2);
        assertThat(fw.register("a", 1, "m:h")).isEqualTo(3);
        fw.activate("a", 1, 3);
        assertThatThrownBy(() -> fw.deregister("a", 1, 3, 0)).hasMessageContaining("is active");
        assertThatThrownBy(() -> fw.deregister("a", 1, 0, 0)).hasMessageContaining("activate version 1");
        assertThatThrownBy(() -> fw.deregister("a", 1, 1, 0)).hasMessageContaining("original");
        assertThatThrownBy(() -> fw.register("a", 1, "m:g")).hasMessageContaining("already version 2");
        fw.deregister("a", 1, 2, 0);
        assertThat(fw.register("a", 1, "m:g")).isEqualTo(4);
        assertThat(fw.table().rows()).extracting(VersionTable.Row::version).containsExactly(1, 3, 4);
    }

    @Test
    void aGroupActivatesAllOrNothing() {
        fw.register("a", 1, "f");
        fw.register("a", 1, "m:g");
        fw.register("b", 1, "k");
        assertThatThrownBy(() -> fw.activateGroup(List.of(new Framework.Member("a", 1, 2), new Framework.Member("b", 1, 2))))
                .hasMessageContaining("no version 2");
        assertThat(fw.table().activeVersion("a", 1)).contains(1);
    }

    @Test
    void aChosenCallFailsAndIsNotRecorded() {
        fw.failOn("register a 1 m:", "no such symbol");
        fw.register("a", 1, "f");
        assertThatThrownBy(() -> fw.register("a", 1, "m:g")).hasMessage("no such symbol");
        assertThat(fw.calls()).containsExactly("register a 1 f");
        assertThat(fw.table().versionsOf("a", 1)).hasSize(1);
    }
}
