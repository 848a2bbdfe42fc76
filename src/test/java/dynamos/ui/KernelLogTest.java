package dynamos.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kernel log tail: the framework's records and those of names watched, even ones logged before. */
class KernelLogTest {
    private final List<KernelLog.Entry> heard = new ArrayList<>();
    private final KernelLog log = new KernelLog(heard::add);

    @Test
    void parsesKmsgRecordsAndDropsDictionaryLines() {
        assertThat(KernelLog.parse("6,1234,5678901,-;dynamos: started\n SUBSYSTEM=x"))
                .isEqualTo(new KernelLog.Entry(1234, 5678901, 6, "dynamos: started"));
        assertThat(KernelLog.parse("12,5,6,c;facility and level")).extracting(KernelLog.Entry::level).isEqualTo(4);
        assertThat(KernelLog.parse("garbage")).isNull();
        assertThat(KernelLog.parse("a,b,c;x")).isNull();
    }

    @Test
    void showsTheFrameworkAndWatchedNamesOnly() {
        log.accept("6,1,10,-;dynamos: framework 0.1.0 started");
        log.accept("6,2,20,-;usb 1-1: new device");
        log.accept("6,3,30,-;stack_a: pre_activation hook ran");
        assertThat(log.tail()).extracting(KernelLog.Entry::seq).containsExactly(1L);
        log.watch(Set.of("stack_a", "ab"));
        assertThat(log.tail()).extracting(KernelLog.Entry::seq).containsExactly(1L, 3L);
        log.accept("6,4,40,-;STACK_A: case does not matter");
        log.accept("6,5,50,-;ab is too short a name to filter by");
        assertThat(log.tail()).extracting(KernelLog.Entry::seq).containsExactly(1L, 3L, 4L);
        assertThat(heard).extracting(KernelLog.Entry::seq).containsExactly(1L, 3L, 4L);
        log.watch(Set.of("stack_a"));
        assertThat(heard).as("nothing new to show").hasSize(3);
    }

    @Test
    void keepsABoundedTail() {
        for (int i = 0; i < KernelLog.SHOWN_KEPT + 20; i++) {
            log.accept("6," + i + ",0,-;dynamos: line " + i);
        }
        assertThat(log.tail()).hasSize(KernelLog.SHOWN_KEPT).first().extracting(KernelLog.Entry::seq).isEqualTo(20L);
    }
}
