package dynamos.source;

import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's kernel source of one release, configured with that kernel's config and prepared for
 * single-file builds ({@code make olddefconfig prepare}). Nothing in {@link #tree()} is ever patched:
 * patched builds run in copies (see {@link PatchedTree}).
 *
 * @param kernel        the kernel it is the source of
 * @param debianVersion the Debian package version of both, e.g. {@code 6.1.192-3}
 * @param tree          the top of the source tree
 * @param compiler      the compiler the kernel was built with, from its config, e.g. {@code gcc-12}
 */
public record PreparedSource(KernelRelease kernel, String debianVersion, Path tree, String compiler) {
    /**
     * The make command for {@code targets} in this tree with the variables of Debian's own build (as its
     * headers package's {@code .kernelvariables} sets them): the architecture, the compiler, the release.
     */
    public List<String> make(List<String> targets) {
        List<String> out = new ArrayList<>(List.of("make", "-C", tree.toString()));
        out.addAll(variables());
        out.addAll(targets);
        return out;
    }

    /** The make variables, also recorded in the stamp. */
    public List<String> variables() {
        return List.of("ARCH=x86", "CC=" + compiler, "KERNELRELEASE=" + kernel.version());
    }
}
