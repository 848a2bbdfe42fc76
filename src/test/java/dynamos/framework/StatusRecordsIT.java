package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.testing.FrameworkGuest;
import dynamos.vm.VmResult;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end: the framework's state as LIST records (kernel/include/uapi/dynamos.h, "Records") - the
 * same snapshot data as the text table of read(/dev/dynamos), read by dynctl (C) and by the dynamos
 * command (Java); a too-small or unwritable buffer; busy tasks as records.
 */
class StatusRecordsIT {
    @Test
    void listRecordsAreTheTextTableAndBusyTasksComeAsRecords() {
        VmResult r = FrameworkGuest.runScenario("status-records");
        Map<String, String> v = FrameworkGuest.values(r);

        // The text table holds what the test set up, and LIST's records rendered as text are the same.
        List<String> text = Arrays.asList(v.get("text").split(";"));
        assertThat(text.getFirst()).matches("dynamos \\S+ abi 3 updates 1 versions 3");
        assertThat(text).contains("t 2 1 yes live 10 dynamos_target_fn dynamos_target dynamos_test_handler_arg - 3 yes 1/1 loaded handler")
                .anySatisfy(l -> assertThat(l).startsWith("t 2 2 no live 7 dynamos_target_fn_v2 dynamos_test_update "
                        + "dynamos_test_handler_arg pre_activation=dynamos_test_pre_activation,"
                        + "post_removal=dynamos_test_post_removal 3 yes 1/1 loaded"));
        assertThat(v).containsEntry("same", "yes").containsEntry("list_ok", "ok 5 records, "
                + (56 + 304 + 3 * 984) + " bytes");
        // The dynamos command (Java) reads the records only: each text row's values are in its JSON.
        for (String row : text.subList(2, text.size())) {
            String[] f = row.split(" ");
            assertThat(v.get("json")).contains("{\"update\": \"t\", \"id\": 2, \"version\": " + f[2]
                    + ", \"active\": " + f[3].equals("yes") + ", \"state\": \"" + f[4] + "\", \"calls\": " + f[5]
                    + ", \"function\": \"" + f[6] + "\", \"module\": \"" + f[7] + "\", \"handler\": \"" + f[8]
                    + "\", \"phase\": 3, \"must_update\": true");
        }
        assertThat(v.get("json")).contains("\"pre-activation\": \"dynamos_test_pre_activation\"");

        // A buffer too small: ENOSPC naming the size needed, nothing written; a bad pointer: EFAULT.
        assertThat(v).containsEntry("small_rc", "28").containsEntry("bad_rc", "14");
        assertThat(v.get("small")).contains("LIST: the buffer has 100 bytes; the table's 5 records need 3312")
                .contains("needed 3312 5");
        assertThat(v.get("bad")).contains("cannot write the records");
        assertThat(v).containsEntry("unchanged", "yes");
        assertThat(v.get("allocs_after")).isEqualTo(v.get("allocs_before"));

        // IN_USE and a refused DEREGISTER name the sleeping task as a record, and in the message.
        assertThat(v).containsEntry("inuse_rc", "0").containsEntry("dereg_rc", "16");
        assertThat(v.get("inuse")).startsWith("ok 1 not quiescent").contains("dynamos_target_fn_sleep")
                .containsPattern("task \\d+ \\S+ 3 dynamos_target_fn_sleep\\+0x[0-9a-f]+/0x[0-9a-f]+ dynamos_test_update;");
        assertThat(v.get("dereg")).startsWith("error").contains("busy")
                .containsPattern("task \\d+ \\S+ 3 dynamos_target_fn_sleep\\+0x[0-9a-f]+/0x[0-9a-f]+ dynamos_test_update;");
        assertThat(v.get("idle")).isEqualTo("ok 0;");
    }
}
