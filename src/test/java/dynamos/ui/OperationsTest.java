package dynamos.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operations run as dynamos commands, one at a time, with every printed line passed on as printed. */
class OperationsTest {
    @Test
    void linesArePassedOnAsTheyArePrinted() {
        List<String> events = new ArrayList<>();
        Operations ops = new Operations((args, out, err) -> {
            out.print("resolved a -> 0x1\nload");
            events.add("(between)");
            out.println("ed m");
            err.print("dynamos: the last words, no newline");
            return 1;
        }, e -> events.add(switch (e) {
            case Operations.Started s -> "start " + s.command();
            case Operations.Printed p -> p.line().stream() + " " + p.line().text();
            case Operations.Ended d -> "end " + d.done().status();
        }));
        Operations.Done d = ops.run(List.of("apply", "/u.ko"));
        assertThat(events).containsExactly("start dynamos apply /u.ko", "out resolved a -> 0x1", "(between)",
                "out loaded m", "err dynamos: the last words, no newline", "end 1");
        assertThat(d.ok()).isFalse();
        assertThat(d.out()).containsExactly("resolved a -> 0x1", "loaded m");
        assertThat(d.err()).containsExactly("dynamos: the last words, no newline");
    }

    @Test
    void aCrashingCommandIsReportedNotThrown() {
        Operations ops = new Operations((args, out, err) -> {
            throw new IllegalStateException("boom");
        }, e -> { });
        Operations.Done d = ops.run(List.of("revert", "x"));
        assertThat(d.status()).isEqualTo(1);
        assertThat(d.err()).singleElement().asString().contains("boom");
    }

    @Test
    void valuesMayNotBeOptionsOrArgumentFiles() {
        assertThat(Operations.value("name", "stack_a")).isEqualTo("stack_a");
        assertThatThrownBy(() -> Operations.value("the update name", "--clear")).hasMessageContaining("may not start with '-'");
        assertThatThrownBy(() -> Operations.value("the path", "@args")).hasMessageContaining("'@'");
        assertThatThrownBy(() -> Operations.value("the path", " ")).hasMessage("the path is missing; fill in the field");
        assertThatThrownBy(() -> Operations.value("the path", null)).hasMessageContaining("missing");
    }
}
