package dynamos.packaging;

import dynamos.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes what the Debian package ships about the command itself, from the command model: the manual pages
 * ({@link ManPages}) and the bash completion script (picocli's generator; zsh loads the same script through
 * bashcompinit). Run by packaging/build-deb:
 * {@code java -cp dynamos.jar dynamos.packaging.PackageDocs MAN_DIR BASH_FILE ZSH_FILE DATE VERSION}.
 */
public final class PackageDocs {
    /** The package's files an operator meets, for dynamos(8)'s FILES section. */
    static final Map<String, String> FILES = files();

    private PackageDocs() {}

    private static Map<String, String> files() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("/var/lib/dynamos/updates/", "Installed updates (dynamos install): ORDER-NAME/ with the module and "
                + "update.json; the dynamos systemd unit applies them at boot.");
        f.put("/lib/systemd/system/dynamos.service", "The unit that runs 'dynamos boot' early at boot.");
        f.put("/usr/src/dynamos-VERSION/", "dynamos.ko's source, built by DKMS for every installed kernel with headers.");
        f.put("/usr/include/dynamos/", "The headers for update authors: dynamos.h, patch/kpatch-macros.h.");
        f.put("/usr/share/dynamos/", "The tool (dynamos.jar, its libraries and Java runtime) and the examples.");
        f.put("~/.cache/dynamos/", "Downloaded kernels, builds and logs ($DYNAMOS_CACHE).");
        return f;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: PackageDocs MAN_DIR BASH_FILE ZSH_FILE DATE VERSION");
            System.exit(2);
        }
        Path manDir = Path.of(args[0]);
        CommandLine top = Main.commandLine();
        Files.createDirectories(manDir);
        Map<String, String> pages = new ManPages(args[3], "dynamos " + args[4], FILES).pages(top);
        for (Map.Entry<String, String> p : pages.entrySet()) {
            Files.writeString(manDir.resolve(p.getKey()), p.getValue());
        }
        Path bash = Path.of(args[1]);
        Files.createDirectories(bash.getParent());
        Files.writeString(bash, AutoComplete.bash("dynamos", top));
        Path zsh = Path.of(args[2]);
        Files.createDirectories(zsh.getParent());
        Files.writeString(zsh, zshWrapper(bash));
        System.out.println(pages.size() + " manual pages in " + manDir + ", completion in " + bash + " and " + zsh);
    }

    /** zsh's completion file: bash's script through zsh's bash-completion emulation. */
    static String zshWrapper(Path bashScript) {
        return "#compdef dynamos\n"
                + "# dynamos completion for zsh: the bash script through bashcompinit.\n"
                + "autoload -U +X bashcompinit && bashcompinit\n"
                + "source /usr/share/bash-completion/completions/" + bashScript.getFileName() + "\n";
    }
}
