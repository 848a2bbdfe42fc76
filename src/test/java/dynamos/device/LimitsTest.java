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
    void everyLimitEqualsTheKernelHeaders() throws Exception {
        Map<String, Integer> kernel = kernelDefines();
        assertThat(kernel).containsEntry("NAME_LEN", Limits.NAME_LEN)
                .containsEntry("SYMBOL_LEN", Limits.SYMBOL_LEN)
                .containsEntry("ERROR_LEN", Limits.ERROR_LEN)
                .containsEntry("MAX_VERSIONS", Limits.MAX_VERSIONS)
                .containsEntry("MAX_UPDATES", Limits.MAX_UPDATES)
                .containsEntry("MAX_GROUP", Limits.MAX_GROUP)
                .containsEntry("MAX_TASKS", Limits.MAX_TASKS)
                .containsEntry("DEFAULT_TIMEOUT_MS", Limits.DEFAULT_TIMEOUT_MS)
                .containsEntry("MAX_TIMEOUT_MS", Limits.MAX_TIMEOUT_MS)
                .containsEntry("ABI_VERSION", Request.ABI_VERSION)
                .containsEntry("RECORD_FORMAT", Records.FORMAT);
        assertThat(Limits.MAX_NAME_CHARS).isEqualTo(kernel.get("NAME_LEN") - 1);
        assertThat(Limits.MAX_SYMBOL_CHARS).isEqualTo(kernel.get("SYMBOL_LEN") - 1);
    }

    @Test
    void everyRecordConstantEqualsTheKernelHeaders() throws Exception {
        Map<String, Integer> kernel = kernelDefines();
        assertThat(kernel).containsEntry("REC_FRAMEWORK", Records.KIND_FRAMEWORK)
                .containsEntry("REC_UPDATE", Records.KIND_UPDATE)
                .containsEntry("REC_VERSION", Records.KIND_VERSION)
                .containsEntry("REC_TASK", Records.KIND_TASK)
                .containsEntry("VERSION_LIVE", Records.VERSION_LIVE)
                .containsEntry("TASK_UNRELIABLE", Records.TASK_UNRELIABLE);
    }
}
