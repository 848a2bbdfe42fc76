package dynamos.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.cli.Main;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

class ManPagesTest {
    @Command(name = "tool", description = {"Do things.", "", "More about it.", "  indented example"},
            subcommands = {Sub.class, CommandLine.HelpCommand.class},
            footerHeading = "%nExit status:%n", footer = {"  0  fine"})
    static final class Tool implements Runnable {
        @Override
        public void run() {}
    }

    @Command(name = "sub", description = {"Change -things- safely.", "", ".dot at the start, a \\ backslash"})
    static final class Sub implements Runnable {
        @Option(names = {"-t", "--timeout"}, paramLabel = "S", defaultValue = "5",
                description = "Seconds (default: ${DEFAULT-VALUE}).")
        int timeout;

        @Option(names = "--json", description = "JSON.")
        boolean json;

        @Option(names = "--secret", hidden = true)
        boolean secret;

        @Parameters(paramLabel = "NAME", description = "The name.")
        String name;

        @Override
        public void run() {}
    }

    private final ManPages pages = new ManPages("2026-12-04", "tool 1.0", Map.of("/var/lib/tool", "State."));

    @Test
    void onePagePerCommandWithoutHelp() {
        assertThat(pages.pages(new CommandLine(new Tool())).keySet()).containsExactly("tool.8", "tool-sub.8");
    }

    @Test
    void theTopPageListsCommandsExitStatusAndFiles() {
        String top = pages.pages(new CommandLine(new Tool())).get("tool.8");
        assertThat(top).contains(".TH \"TOOL\" 8 \"2026-12-04\" \"tool 1.0\"")
                .contains(".SH NAME\ntool \\- Do things\n")
                .contains(".SH DESCRIPTION\n.PP\nMore about it.\n.IP \"\" 4\nindented example\n")
                .contains(".SH COMMANDS\n.TP\n.BR tool\\-sub (8)\nChange \\-things\\- safely.\n")
                .contains(".SH EXIT STATUS\n.nf\n  0  fine\n.fi\n")
                .contains(".SH FILES\n.TP\n.I /var/lib/tool\nState.\n")
                .doesNotContain("help");
    }

    @Test
    void aCommandPageHasSynopsisArgumentsAndOptionsWithDefaultsEscapedForRoff() {
        String sub = pages.pages(new CommandLine(new Tool())).get("tool-sub.8");
        assertThat(sub).contains(".B tool sub\n[\\fB\\-t\\fR \\fIS\\fR]\n[\\fB\\-\\-json\\fR]\n\\fINAME\\fR\n")
                .contains(".SH ARGUMENTS\n.TP\n.I NAME\nThe name.\n")
                .contains(".TP\n\\fB\\-t\\fR, \\fB\\-\\-timeout\\fR \\fIS\\fR\nSeconds (default: 5).\n")
                .contains("\\&.dot at the start, a \\e backslash\n")
                .contains(".BR tool (8)")
                .doesNotContain("secret")
                .doesNotContain(".SH FILES");
    }

    @Test
    void everyDynamosCommandHasAPageSayingWhatItsHelpSays() {
        Map<String, String> all = pages.pages(Main.commandLine());
        assertThat(all).containsKeys("dynamos.8", "dynamos-install.8", "dynamos-uninstall.8", "dynamos-boot.8",
                "dynamos-kernel-fetch.8", "dynamos-apply.8");
        assertThat(all.get("dynamos-list.8")).contains("\\fB\\-\\-installed\\fR");
        assertThat(all.get("dynamos.8")).contains(".SH EXIT STATUS").contains("125");
        // No text line of any page starts with a period or quote that roff would take for a request.
        all.forEach((name, page) -> page.lines()
                .filter(l -> !l.isEmpty() && (l.charAt(0) == '.' || l.charAt(0) == '\''))
                .forEach(l -> assertThat(l).as(name).matches("^\\.(\\\\\"|TH|SH|B|BR|I|TP|PP|IP|nf|fi)( .*)?$")));
    }

    /** groff itself, with every warning on, has nothing to say of any page (PackageIT renders one in the guest). */
    @Test
    void groffRendersEveryDynamosPageWithoutAWarning() throws Exception {
        for (Map.Entry<String, String> page : pages.pages(Main.commandLine()).entrySet()) {
            Process groff = new ProcessBuilder("groff", "-man", "-ww", "-z").redirectErrorStream(true).start();
            try (var in = groff.getOutputStream()) {
                in.write(page.getValue().getBytes(StandardCharsets.UTF_8));
            }
            String said = new String(groff.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(groff.waitFor()).as(page.getKey()).isZero();
            assertThat(said).as(page.getKey()).isEmpty();
        }
    }
}
