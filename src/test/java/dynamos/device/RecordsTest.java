package dynamos.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RecordsTest {
    private static final List<String> NO_HOOKS = List.of("", "", "", "", "", "");

    /** The header's offset table ("+off size field") of each record struct, by struct name. */
    private static String header() throws Exception {
        return Files.readString(Path.of("kernel/include/uapi/dynamos.h"));
    }

    private static Map<String, Map<String, Long>> headerTables() throws Exception {
        String header = header();
        Matcher block = Pattern.compile("/\\*((?:(?!\\*/).)*?)\\*/\\s*struct (dynamos_rec_\\w+) \\{", Pattern.DOTALL)
                .matcher(header);
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        while (block.find()) {
            Matcher row = Pattern.compile("\\*\\s+\\+(\\d+)\\s+(\\d+)\\s+(\\w+)").matcher(block.group(1));
            Map<String, Long> fields = new LinkedHashMap<>();
            while (row.find()) {
                // A later format may append to an array ("+728 256 hooks[4..5]"): the field starts at its first row.
                fields.putIfAbsent(row.group(3), Long.parseLong(row.group(1)));
            }
            out.put(block.group(2), fields);
        }
        return out;
    }

    @Test
    void layoutsMatchTheKernelHeader() throws Exception {
        Map<String, Map<String, Long>> tables = headerTables();
        Map<String, StructLayout> layouts = Map.of("dynamos_rec_head", Records.HEAD,
                "dynamos_rec_framework", Records.FRAMEWORK, "dynamos_rec_update", Records.UPDATE,
                "dynamos_rec_version", Records.VERSION, "dynamos_rec_task", Records.TASK,
                "dynamos_rec_monitor", Records.MONITOR, "dynamos_rec_monitor_caller", Records.MONITOR_CALLER,
                "dynamos_rec_monitor_version", Records.MONITOR_VERSION);
        assertThat(tables).containsOnlyKeys(layouts.keySet());
        layouts.forEach((struct, layout) -> {
            Map<String, Long> fields = tables.get(struct);
            // The head's table lists its own fields; the others start after the 8-byte head.
            assertThat(fields).as(struct).hasSize(layout.memberLayouts().size() - (layout == Records.HEAD ? 0 : 1));
            fields.forEach((field, off) -> assertThat(Records.offset(layout, field)).as(struct + "." + field).isEqualTo(off));
        });
        assertThat(new long[] {Records.FRAMEWORK.byteSize(), Records.UPDATE.byteSize(), Records.VERSION.byteSize(),
                Records.TASK.byteSize()}).containsExactly(56, 304, 984, 232);
        assertThat(header()).contains("(984 bytes)").contains("One update <name,id>, 288 bytes")
                .containsPattern("#define DYNAMOS_UPDATE_TARGET_ABSENT\\s+0x" + Records.UPDATE_TARGET_ABSENT + "\\b");
        assertThat(Records.offset(Records.UPDATE, "level")).isEqualTo(Records.UPDATE_FORMAT1_SIZE);
        assertThat(Records.offset(Records.VERSION, "hooks") + 4 * Limits.SYMBOL_LEN).isEqualTo(Records.VERSION_FORMAT1_SIZE);
        assertThat(Records.UPDATE.select(MemoryLayout.PathElement.groupElement("handler")).byteSize())
                .isEqualTo(Limits.SYMBOL_LEN);
    }

    @Test
    void monitorRecordSizesMatchTheHeader() throws Exception {
        assertThat(new long[] {Records.MONITOR.byteSize(), Records.MONITOR_CALLER.byteSize(),
                Records.MONITOR_VERSION.byteSize()}).containsExactly(512, 472, 224);
        assertThat(header()).contains("A monitored function, 512 + 8 * nr_cpus bytes")
                .contains("(the return address), 472 bytes").contains("monitored function, 224 bytes")
                .containsPattern("#define DYNAMOS_MONITOR_BY_CALLER\\s+0x" + Request.MONITOR_BY_CALLER + "\\b");
    }

    @Test
    void decodesMonitorsWithTheirCpusCallersAndVersions() {
        byte[] bytes = new RecordBytes()
                .monitor(3, "dynamos_target:dynamos_target_fn", Records.MONITOR_BY_CALLER, 4242, 2_000_000_000L, 5,
                        7, 2, 0, new long[] {600, 0, 400}, 8, 990, 39, 10)
                .monitorCaller("target_write+0x9c/0x1b0 [dynamos_target]", 900, 8)
                .monitorCaller("other_fn+0x1/0x2", 93, 9)
                .monitor(4, "vfs_read", 0, 1, 10, 0, 0, 0, 2, new long[] {1, 2}, 0, 3)
                .monitorVersion("t", 1, 1, "dynamos_target_fn", 100)
                .monitorVersion("t", 1, 2, "dynamos_target_fn_v2", 200)
                .raw(99, 16)
                .bytes();
        List<dynamos.monitor.MonitorStats> ms = Records.monitors(bytes);
        assertThat(ms).hasSize(2);
        dynamos.monitor.MonitorStats a = ms.getFirst();
        assertThat(a.id()).isEqualTo(3);
        assertThat(a.function()).isEqualTo("dynamos_target:dynamos_target_fn");
        assertThat(a.byCaller()).isTrue();
        assertThat(a.ownerPid()).isEqualTo(4242);
        assertThat(a.elapsedNs()).isEqualTo(2_000_000_000L);
        assertThat(a.callsPerCpu()).containsExactly(600L, 0L, 400L);
        assertThat(a.calls()).isEqualTo(1000);
        assertThat(a.missed()).isEqualTo(5);
        assertThat(a.latency()).hasSize(40);
        assertThat(a.latency().get(8)).isEqualTo(990);
        assertThat(a.latency().get(39)).isEqualTo(10);
        // Most frequent first; the kernel's count beyond its caller table as one more row.
        assertThat(a.callers()).extracting(dynamos.monitor.MonitorStats.CallerStats::caller).containsExactly(
                "target_write+0x9c/0x1b0 [dynamos_target]", "other_fn+0x1/0x2", Records.OTHER_CALLERS);
        assertThat(a.callers().getFirst().latency().get(8)).isEqualTo(900);
        assertThat(a.callers().get(2).calls()).isEqualTo(7);
        assertThat(a.versions()).isEmpty();
        dynamos.monitor.MonitorStats b = ms.get(1);
        assertThat(b.byCaller()).isFalse();
        assertThat(b.callers()).isEmpty();
        assertThat(b.versions()).containsExactly(
                new dynamos.monitor.MonitorStats.VersionStats("t", 1, 1, "dynamos_target_fn", 100, List.of()),
                new dynamos.monitor.MonitorStats.VersionStats("t", 1, 2, "dynamos_target_fn_v2", 200, List.of()));
        assertThat(Records.monitors(new byte[0])).isEmpty();
    }

    @Test
    void aMonitorRecordTooShortForItsCpusOrACallerWithoutMonitorIsRefused() {
        byte[] bytes = new RecordBytes().monitor(1, "f", 0, 1, 1, 0, 0, 0, 0, new long[] {1, 2}).bytes();
        java.lang.foreign.MemorySegment.ofArray(bytes).set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED,
                Records.offset(Records.MONITOR, "nr_cpus"), 3);
        assertThatThrownBy(() -> Records.monitors(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot hold 3 CPUs");
        assertThatThrownBy(() -> Records.monitors(new RecordBytes().monitorCaller("x", 1, 0).bytes()))
                .hasMessageContaining("before any monitor record");
    }

    @Test
    void decodesTheFrameworkItsUpdatesAndTheirVersions() {
        byte[] bytes = new RecordBytes().framework("0.1.0", 3, 1, 2)
                .update("pipe", 7, 2, 2, -1, true, "adapt")
                .version(1, true, 10, "pipe_write", "vmlinux", NO_HOOKS)
                .version(2, false, 1L << 40, "pipe_write_v2", "dynamos_pipe", List.of("pre", "", "", "done", "", "gone"))
                .bytes();
        Records.Listing l = Records.listing(bytes);
        assertThat(l.framework()).isEqualTo(new Records.FrameworkRecord("0.1.0", 0, 3, Records.FORMAT, 1, 2));
        assertThat(l.updates()).hasSize(1);
        Records.UpdateRecord u = l.updates().getFirst();
        assertThat(u.name()).isEqualTo("pipe");
        assertThat(u.id()).isEqualTo(7);
        assertThat(u.active()).isEqualTo(2);
        assertThat(u.phase()).isEqualTo(-1);
        assertThat(u.mustUpdate()).isTrue();
        assertThat(u.handler()).isEqualTo("adapt");
        assertThat(u.versions()).extracting(Records.VersionRecord::number).containsExactly(1, 2);
        Records.VersionRecord v2 = u.versions().get(1);
        assertThat(v2.live()).isFalse();
        assertThat(v2.calls()).isEqualTo(1L << 40);
        assertThat(v2.module()).isEqualTo("dynamos_pipe");
        assertThat(v2.hooks()).containsExactly("pre", "", "", "done", "", "gone");
        assertThat(u.level()).isZero();
        assertThat(u.depth()).isEqualTo(1);
        assertThat(u.targetAbsent()).isFalse();
    }

    @Test
    void decodesFunctionStacksAndAbsentTargets() {
        byte[] bytes = new RecordBytes().framework("0.2.0", 3, 2, 3)
                .update("a", 1, 2, 2, 0, false, "").stacked(0, 2, false)
                .version(1, true, 0, "may_open", "vmlinux", NO_HOOKS)
                .version(2, true, 0, "may_open_v2", "a_mod", NO_HOOKS)
                .update("b", 4, 1, 1, 0, false, "").stacked(1, 2, true)
                .version(1, true, 0, "target_fn", "target_mod", List.of("", "", "", "", "coming", "going"))
                .bytes();
        List<Records.UpdateRecord> u = Records.listing(bytes).updates();
        assertThat(u).extracting(Records.UpdateRecord::level).containsExactly(0, 1);
        assertThat(u).extracting(Records.UpdateRecord::depth).containsExactly(2, 2);
        assertThat(u).extracting(Records.UpdateRecord::targetAbsent).containsExactly(false, true);
        assertThat(u.get(1).versions().getFirst().hooks()).containsExactly("", "", "", "", "coming", "going");
    }

    @Test
    void readsTheShorterRecordsOfFormatOne() {
        byte[] bytes = new RecordBytes().framework("0.1.0", 3, 1, 1, 2)
                .update("old", 1, 2, 2, 0, false, "h").stacked(3, 4, true).formatOne()
                .version(1, true, 5, "f", "vmlinux", NO_HOOKS).formatOne()
                .version(2, true, 6, "f_v2", "m", List.of("pre", "", "", "post", "lost", "lost")).formatOne()
                .bytes();
        Records.Listing l = Records.listing(bytes);
        assertThat(l.framework().format()).isEqualTo(1);
        Records.UpdateRecord u = l.updates().getFirst();
        // The fields beyond a format-1 record are not read, whatever the bytes after it hold.
        assertThat(u.level()).isZero();
        assertThat(u.depth()).isEqualTo(1);
        assertThat(u.targetAbsent()).isFalse();
        assertThat(u.handler()).isEqualTo("h");
        assertThat(u.versions()).extracting(Records.VersionRecord::calls).containsExactly(5L, 6L);
        assertThat(u.versions().get(1).hooks()).containsExactly("pre", "", "", "post", "", "");
    }

    @Test
    void readsALaterFormatAsFarAsItKnowsIt() {
        byte[] bytes = new RecordBytes().framework("0.2.0", 4, 1, 1).grownBy(16)
                .raw(99, 40)
                .update("t", 1, 1, 1, 0, false, "").grownBy(8)
                .version(1, true, 3, "f", "vmlinux", NO_HOOKS).grownBy(24)
                .bytes();
        Records.Listing l = Records.listing(bytes);
        assertThat(l.framework().version()).isEqualTo("0.2.0");
        assertThat(l.updates()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("t");
            assertThat(u.versions()).singleElement().satisfies(v -> assertThat(v.calls()).isEqualTo(3));
        });
    }

    @Test
    void refusesMalformedRecords() {
        byte[] good = new RecordBytes().framework("0.1.0", 3, 0, 0).bytes();
        assertThatThrownBy(() -> Records.listing(java.util.Arrays.copyOf(good, 40))).hasMessageContaining("malformed record");
        assertThatThrownBy(() -> Records.listing(new RecordBytes().raw(Records.KIND_UPDATE, 16).bytes()))
                .hasMessageContaining("fewer than the 288");
        byte[] tooShort = new byte[16];
        tooShort[0] = 7;
        tooShort[2] = 4; // a size smaller than the header itself (little-endian)
        assertThatThrownBy(() -> Records.listing(tooShort)).hasMessageContaining("size 4");
        assertThatThrownBy(() -> Records.listing(new byte[0])).hasMessageContaining("no framework record");
        assertThatThrownBy(() -> Records.listing(new RecordBytes().framework("0.1.0", 3, 0, 1)
                .version(1, true, 0, "f", "vmlinux", NO_HOOKS).bytes())).hasMessageContaining("before any update");
    }

    @Test
    void decodesBusyTasksAndNamesThemAsTheKernelsMessageDoes() {
        byte[] bytes = new RecordBytes().task(172, "cat", 2, false, "dynamos_target_fn_sleep+0x1c/0x40", "dynamos_test_update")
                .task(9, "kworker/0:1", 0, true, "", "")
                .task(5, "sh", 3, false, "vfs_read+0x5/0x90", "")
                .bytes();
        List<Records.BusyTask> tasks = Records.tasks(bytes);
        assertThat(tasks).extracting(Records.BusyTask::pid).containsExactly(172, 9, 5);
        assertThat(tasks).extracting(Object::toString).containsExactly(
                "pid 172 (cat) v2 at dynamos_target_fn_sleep+0x1c/0x40 [dynamos_test_update]",
                "pid 9 (kworker/0:1) unreliable stack",
                "pid 5 (sh) v3 at vfs_read+0x5/0x90");
        assertThat(tasks.get(1).unreliableStack()).isTrue();
        assertThat(Records.prefix(bytes, 2)).hasSize((int) (2 * Records.TASK.byteSize()));
    }
}
