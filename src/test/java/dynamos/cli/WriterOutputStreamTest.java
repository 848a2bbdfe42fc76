package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WriterOutputStreamTest {
    @Test
    void streamAndWriterShareOneOutputInOrder() {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text, true);
        PrintStream stream = new PrintStream(new WriterOutputStream(writer), true, StandardCharsets.UTF_8);
        writer.println("first");
        stream.println("second: ü → ✓");
        writer.println("third");
        assertThat(text.toString().lines()).containsExactly("first", "second: ü → ✓", "third");
    }

    @Test
    void aCharacterSplitAcrossFlushesWaitsForItsLastByte() {
        StringWriter text = new StringWriter();
        WriterOutputStream s = new WriterOutputStream(new PrintWriter(text));
        byte[] check = "✓".getBytes(StandardCharsets.UTF_8);
        s.write(check, 0, 2);
        s.flush();
        assertThat(text.toString()).isEmpty();
        s.write(check, 2, 1);
        s.flush();
        assertThat(text.toString()).isEqualTo("✓");
    }
}
