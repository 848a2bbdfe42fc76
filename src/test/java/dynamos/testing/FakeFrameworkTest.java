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

    @Test
    void aNewUpdateOnAnUpdatedFunctionIsStackedOnTopAndCanBeRemovedFromBeneath() {
        fw.register("a", 1, "f");
        fw.register("a", 1, "m:f_a");
        fw.activate("a", 1, 2);
        assertThat(fw.register("b", 3, "f")).isEqualTo(1);
        fw.register("b", 3, "n:f_b");
        VersionTable t = fw.table();
        assertThat(t.stacks()).singleElement().satisfies(s -> {
            assertThat(s.layers()).extracting(Object::toString).containsExactly("a 1", "b 3");
            assertThat(s.deciding().orElseThrow().update()).isEqualTo("a");
        });
        assertThat(t.row("b", 3, 1).orElseThrow().level()).isEqualTo(1);
        assertThat(t.row("a", 1, 2).orElseThrow().depth()).isEqualTo(2);
        // A later version of an update may still not be another update's original.
        assertThatThrownBy(() -> fw.register("b", 3, "f")).hasMessageContaining("already version 1");
        fw.activate("a", 1, 1);
        fw.deregister("a", 1, 0, 0);
        assertThat(fw.table().row("b", 3, 1).orElseThrow().level()).isZero();
    }

    @Test
    void aFunctionOfAnAbsentModuleIsRegisteredAndWaits() {
        fw.moduleAbsent("target_mod");
        fw.register("t", 1, "target_mod:fn");
        fw.register("u", 1, "other_fn");
        assertThat(fw.table().row("t", 1, 1).orElseThrow().targetAbsent()).isTrue();
        assertThat(fw.table().row("u", 1, 1).orElseThrow().targetAbsent()).isFalse();
    }

    @Test
    void aGroupHasAtMostMaxGroupMembers() {
        int max = dynamos.device.Limits.MAX_GROUP;
        List<Framework.Member> members = new java.util.ArrayList<>();
        for (int i = 0; i <= max; i++) {
            fw.register("a", i, "f" + i);
            members.add(new Framework.Member("a", i, 1));
        }
        assertThatThrownBy(() -> fw.activateGroup(members)).hasMessageContaining("1 to " + max + " members");
        assertThat(fw.activateGroup(members.subList(0, max))).as("failed post-activation hooks").isZero();
    }
}
