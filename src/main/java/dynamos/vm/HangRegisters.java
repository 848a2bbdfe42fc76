package dynamos.vm;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Asks the QEMU monitor of a hung guest for every vCPU's registers, so that a hang can be told apart later
 * (where each vCPU spun or waited) although the guest itself can no longer say anything.
 */
final class HangRegisters {
    private static final long QUIET_NANOS = 500_000_000L;
    private static final long LIMIT_NANOS = 5_000_000_000L;

    private HangRegisters() {
    }

    /** Best effort: a missing monitor or a dead QEMU leaves a note in {@code into} instead of registers. */
    static void save(Path monitorSocket, Path into) {
        String text;
        try {
            text = query(monitorSocket, "info registers -a");
        } catch (IOException e) {
            text = "could not ask the QEMU monitor at " + monitorSocket + ": " + e.getMessage() + "\n";
        }
        try {
            Files.writeString(into, text);
        } catch (IOException ignored) {
            // A diagnosis aid only; the hang is reported either way.
        }
    }

    /** Sends one monitor command and returns what the monitor printed until it went quiet. */
    static String query(Path monitorSocket, String command) throws IOException {
        if (!Files.exists(monitorSocket)) {
            throw new IOException("no monitor socket");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(monitorSocket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.configureBlocking(false);
            StringBuilder out = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            long start = System.nanoTime();
            long lastData = start;
            while (System.nanoTime() - lastData < QUIET_NANOS && System.nanoTime() - start < LIMIT_NANOS) {
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                if (n > 0) {
                    out.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
                    buf.clear();
                    lastData = System.nanoTime();
                } else {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            // The monitor echoes the command with line-editing escapes; the answer starts at the first vCPU.
            String answer = out.toString().replace("\r", "");
            int first = answer.indexOf("CPU#");
            return first >= 0 ? answer.substring(first) : answer;
        }
    }
}
