package dynamos.source;

import dynamos.host.Exec;
import dynamos.host.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles translation units of a prepared tree with the kernel's own flags plus
 * {@code -ffunction-sections -fdata-sections} (a section per function and per object, for comparing and
 * taking them one by one), before and after a patch.
 *
 * <p>The flags come from kbuild itself: the first time a unit is needed, {@code make UNIT.o} compiles it once
 * in the pristine tree, which leaves its {@code .cmd} file (the command and the headers it read). Later
 * compilations run that command directly, retargeted to the output directory: about a second instead of
 * the ten make needs to walk the tree. The command runs at the top of the pristine tree for "before" and of
 * the {@link PatchedTree} for "after", so both see the same relative paths.
 */
public final class UnitCompiler {
    public static final List<String> EXTRA_FLAGS = List.of("-ffunction-sections", "-fdata-sections");
    private final PreparedSource source;
    private final List<String> flags;

    public UnitCompiler(PreparedSource source) {
        this(source, List.of());
    }

    /**
     * Compiles with {@code moreFlags} after kbuild's own: for a kernel built with other flags than its source says
     * (any difference from the running code is then found by the plan's code check).
     */
    public UnitCompiler(PreparedSource source, List<String> moreFlags) {
        for (String f : moreFlags) {
            if (!f.matches("-[A-Za-z0-9_=,.+/:-]+")) {
                throw new IllegalArgumentException("'" + f + "' is not a compiler flag this accepts (one option word: "
                        + "'-', then letters, digits and _=,.+/:-)");
            }
        }
        List<String> all = new ArrayList<>(EXTRA_FLAGS);
        // kpatch-macros.h of our own, for patches written for kpatch-build (their hooks); changes no other code.
        all.add("-I'" + dynamos.host.Installation.include().resolve("patch").toAbsolutePath()
                .toString().replace("'", "'\\''") + "'");
        all.addAll(moreFlags);
        this.flags = List.copyOf(all);
        this.source = source;
    }

    /** One unit compiled twice. */
    public record CompiledUnit(String unit, Path before, Path after) {}

    /** kbuild's command for {@code unit}, compiling it once in the pristine tree when there is none yet. */
    public KbuildCommand command(String unit) {
        String object = KbuildCommand.objectOf(unit);
        if (!Files.isRegularFile(source.tree().resolve(unit))) {
            throw new SourceException(unit + " is not a file of " + source.tree());
        }
        Path cmd = source.tree().resolve(KbuildCommand.cmdFile(object));
        if (!Files.isRegularFile(cmd)) {
            Progress.step("make " + object + " (once, for kbuild's flags)");
            Exec.Result r = Exec.capture(source.make(List.of(object)));
            if (!r.ok() || !Files.isRegularFile(cmd)) {
                throw new SourceException("kbuild cannot compile " + unit + " of the pristine tree (exit " + r.exitCode()
                        + "):" + Exec.tail(r.output(), 15) + "\n    is it built into this kernel's config? "
                        + "(its Makefile's obj-y/obj-m with the options of " + source.kernel().config() + ")");
            }
        }
        return KbuildCommand.read(cmd);
    }

    /** Compiles {@code unit} of the tree at {@code top} (the pristine one or a patched copy) into {@code output}. */
    public Path compile(Path top, String unit, Path output) {
        KbuildCommand k = command(unit);
        try {
            Files.createDirectories(output.getParent());
            Files.deleteIfExists(output);
        } catch (IOException e) {
            throw new SourceException("cannot create " + output.getParent() + ": " + e.getMessage(), e);
        }
        String shell = k.retargeted(output.toAbsolutePath(), flags);
        Exec.Result r = Exec.capture(List.of("sh", "-c", shell), top, Map.of());
        if (!r.ok() || !Files.isRegularFile(output)) {
            throw new SourceException("compiling " + unit + " in " + top + " failed (exit " + r.exitCode() + "):"
                    + Exec.tail(r.output(), 20) + (top.equals(source.tree()) ? "" : "\n    the patch breaks the build"));
        }
        return output;
    }

    /** Compiles {@code unit} before ({@code outDir/before/UNIT.o}) and after ({@code outDir/after/UNIT.o}) {@code patch}. */
    public CompiledUnit compile(String unit, Path patch, Path outDir) {
        return compileBoth(unit, PatchedTree.of(source, patch), outDir);
    }

    private CompiledUnit compileBoth(String unit, Path patchedTop, Path outDir) {
        Progress.detail("compiling " + unit + " before and after");
        Path before = compile(source.tree(), unit, outDir.resolve("before").resolve(KbuildCommand.objectOf(unit)));
        Path after = compile(patchedTop, unit, afterObject(outDir, unit));
        return new CompiledUnit(unit, before, after);
    }

    /** Where {@link #compileUnits} puts {@code unit}'s object compiled after the patch. */
    public static Path afterObject(Path outDir, String unit) {
        return outDir.resolve("after").resolve(KbuildCommand.objectOf(unit));
    }

    /** Compiles {@code units} (C files of the tree) before and after {@code patch}. */
    public List<CompiledUnit> compileUnits(List<String> units, Path patch, Path outDir) {
        List<CompiledUnit> out = new ArrayList<>();
        if (units.isEmpty()) {
            return out;
        }
        Path patched = PatchedTree.of(source, patch);
        for (String unit : units) {
            out.add(compileBoth(unit, patched, outDir));
        }
        return out;
    }
}
