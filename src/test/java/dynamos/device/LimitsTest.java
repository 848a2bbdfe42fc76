package dynamos.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LimitsTest {
    /** The kernel's #define DYNAMOS_X value lines of the ABI header. */
    private static Map<String, Integer> kernelDefines() throws Exception {
        String header = Files.readString(Path.of("kernel/include/uapi/dynamos.h"));
        Matcher m = Pattern.compile("(?m)^#define\\s+DYNAMOS_(\\w+)\\s+(\\d+)\\b").matcher(header);
        Map<String, Integer> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }

    @Test
    void everyLimitAndRecordConstantEqualsTheKernelHeaders() throws Exception {
        Map<String, Integer> kernel = kernelDefines();
        Map<String, Integer> java = Map.ofEntries(
                Map.entry("NAME_LEN", Limits.NAME_LEN), Map.entry("SYMBOL_LEN", Limits.SYMBOL_LEN),
                Map.entry("ERROR_LEN", Limits.ERROR_LEN), Map.entry("MAX_VERSIONS", Limits.MAX_VERSIONS),
                Map.entry("MAX_UPDATES", Limits.MAX_UPDATES), Map.entry("MAX_GROUP", Limits.MAX_GROUP),
                Map.entry("MAX_TASKS", Limits.MAX_TASKS), Map.entry("DEFAULT_TIMEOUT_MS", Limits.DEFAULT_TIMEOUT_MS),
                Map.entry("MAX_TIMEOUT_MS", Limits.MAX_TIMEOUT_MS), Map.entry("ABI_VERSION", Request.ABI_VERSION),
                Map.entry("RECORD_FORMAT", Records.FORMAT), Map.entry("REC_FRAMEWORK", Records.KIND_FRAMEWORK),
                Map.entry("REC_UPDATE", Records.KIND_UPDATE), Map.entry("REC_VERSION", Records.KIND_VERSION),
                Map.entry("REC_TASK", Records.KIND_TASK), Map.entry("VERSION_LIVE", Records.VERSION_LIVE),
                Map.entry("TASK_UNRELIABLE", Records.TASK_UNRELIABLE),
                Map.entry("MAX_MONITORS", Limits.MAX_MONITORS),
                Map.entry("MONITOR_MAX_ACTIVE", Limits.MONITOR_MAX_ACTIVE),
                Map.entry("MONITOR_CALLERS", Limits.MONITOR_CALLERS),
                Map.entry("MONITOR_BUCKETS", dynamos.monitor.MonitorStats.BUCKETS),
                Map.entry("REC_MONITOR", Records.KIND_MONITOR),
                Map.entry("REC_MONITOR_CALLER", Records.KIND_MONITOR_CALLER),
                Map.entry("REC_MONITOR_VERSION", Records.KIND_MONITOR_VERSION));
        assertThat(kernel).containsAllEntriesOf(java);
        assertThat(Limits.MAX_NAME_CHARS).isEqualTo(kernel.get("NAME_LEN") - 1);
        assertThat(Limits.MAX_SYMBOL_CHARS).isEqualTo(kernel.get("SYMBOL_LEN") - 1);
    }
}
