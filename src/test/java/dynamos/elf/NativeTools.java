package dynamos.elf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs host tools (gcc, readelf, objdump, ld, make) for tests that check real object files. */
public final class NativeTools {
    /**
     * C source: a loop over a function-scope static array, whose end GCC addresses just past the array (as
     * kernel/sys.c's validate_prctl_map_addr does with its offsets.67).
     */
    public static final String LOOP_OVER_STATIC_ARRAY = """
            int walk(const char *p) {
            	static const unsigned char offsets[] = { 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144 };
            	int sum = 0;
            	for (const unsigned char *o = offsets; o < offsets + sizeof(offsets); o++)
            		sum += p[*o];
            	return sum;
            }
            """;

    /** C source: WARN_HERE(), a ud2 with a 12-byte {@code __bug_table} entry as x86's WARN writes it. */
    public static final String WARN_HERE = """
            #define WARN_HERE() asm volatile("1: ud2\\n" \\
                    ".pushsection __bug_table,\\"aw\\"\\n" \\
                    "2: .long 1b - .\\n" \\
                    ".long %c0 - .\\n" \\
                    ".word %c1, %c2\\n" \\
                    ".org 2b + 12\\n" \\
                    ".popsection" :: "i" (__FILE__), "i" (__LINE__), "i" (1 << 0))
            """;

    private NativeTools() {}

    /** Whether {@code tool} is on the PATH. */
    public static boolean available(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code command} in {@code dir}, asserts it succeeds, and returns its output (stdout and stderr). */
    public static String run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            assertThat(status).as("%s exited %d:%n%s", List.of(command), status, output).isZero();
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + List.of(command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + List.of(command), e);
        }
    }

    /** Writes {@code source} to {@code dir/name.c}, compiles it with {@code gcc -c} and the given flags, returns the object. */
    public static Path compile(Path dir, String name, String source, String... flags) throws IOException {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source);
        Path o = dir.resolve(name + ".o");
        List<String> command = new java.util.ArrayList<>(List.of("gcc", "-c"));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", o.toString(), c.toString()));
        run(dir, command.toArray(String[]::new));
        return o;
    }
}
