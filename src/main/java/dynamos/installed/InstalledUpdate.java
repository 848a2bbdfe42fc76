package dynamos.installed;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;

/**
 * An update kept by {@code dynamos install} for the boot-time apply: its name, the kernel module file (in
 * {@code dir}), the kernel release it was built for, the module's SHA-256 when installed, when, and its place
 * in install order (the order the boot applies them in).
 */
public record InstalledUpdate(
        int order,
        String name,
        String module,
        String file,
        String kernel,
        String sha256,
        @JsonProperty("installed_at") String installedAt,
        String source) {

    /** The metadata file in each installed update's directory. */
    public static final String METADATA = "update.json";

    /** The directory of this update in {@code updatesDir}: {@code ORDER-NAME}, the order zero-padded. */
    public String dirName() {
        return String.format("%04d-%s", order, name);
    }

    /** The module file of this update under {@code updatesDir}. */
    public Path modulePath(Path updatesDir) {
        return updatesDir.resolve(dirName()).resolve(file);
    }
}
