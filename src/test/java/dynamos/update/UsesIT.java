package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.elf.ElfObject;
import dynamos.host.Exec;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update built against another update's exports ({@code dynamos build --uses}), end to end: the
 * provider exports a function and a variable, the consumer's version of the test target's
 * {@code dynamos_target_fn} uses both. Built with module versions and a real module dependency, the
 * consumer is refused until the provider is applied, works on top of it, and pins its module.
 */
class UsesIT {
    private static final Path UPDATES = Guest.REPO.resolve("src/test/updates");

    @Test
    void anUpdateBuiltWithUsesDependsOnTheOtherUpdateAndIsAppliedOnTopOfIt(@TempDir Path tmp) throws Exception {
        String release = Guest.kernel().version();
        Path provider = UPDATES.resolve("uses_provider");
        Path consumer = UPDATES.resolve("uses_consumer");

        // A provider that is not built: said so, with the command that builds it.
        Path unbuilt = tmp.resolve("uses_provider");
        Files.createDirectories(unbuilt);
        try (Stream<Path> s = Files.list(provider)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Files.copy(f, unbuilt.resolve(f.getFileName()));
            }
        }
        Exec.Result notBuilt = UpdatesIT.dynamos("build", consumer.toString(), "--kernel-version", release,
                "--uses", unbuilt.toString());
        assertThat(notBuilt.exitCode()).as(notBuilt.output()).isEqualTo(1);
        assertThat(notBuilt.output()).contains("--uses " + unbuilt + ": the update is not built for kernel " + release)
                .contains("build it first: dynamos build " + unbuilt + " --kernel-version " + release);

        Exec.Result p = UpdatesIT.dynamos("build", provider.toString(), "--kernel-version", release);
        assertThat(p.exitCode()).as(p.output()).isZero();
        Exec.Result c = UpdatesIT.dynamos("build", consumer.toString(), "--kernel-version", release,
                "--uses", provider.toString());
        assertThat(c.exitCode()).as(c.output()).isZero();
        assertThat(c.output()).doesNotContain("no symbol version").doesNotContain("not exported")
                .contains("uses update uses_provider (module dynamos_uses_provider, a dependency of dynamos_uses_consumer):"
                        + " uses_provider_offset, uses_provider_scale");

        Path providerKo = provider.resolve("build").resolve(release).resolve("dynamos_uses_provider.ko");
        Path consumerKo = consumer.resolve("build").resolve(release).resolve("dynamos_uses_consumer.ko");
        UpdateModule m = UpdateModule.read(consumerKo);
        assertThat(Dependencies.of(m)).contains("dynamos_uses_provider");
        assertThat(SymbolResolver.versionedSymbols(ElfObject.read(consumerKo)))
                .as("the provider's symbols have CRCs: the loader binds them, not kallsyms")
                .contains("uses_provider_offset", "uses_provider_scale");
        assertThat(m.declaration().uses()).containsExactly(new UpdateDeclaration.Use("uses_provider", "dynamos_uses_provider"));

        VmResult r = FrameworkGuest.runScenario("updates-uses", Map.of("PROVIDER", providerKo.toString(),
                "CONSUMER", consumerKo.toString()));
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v.get("refused_err")).contains("uses_consumer uses symbols of update uses_provider"
                + " (module dynamos_uses_provider): apply uses_provider first");
        assertThat(v).containsEntry("before", "5")
                .containsEntry("loaded_refused", "0").containsEntry("rows_refused", "0")
                // (2 + 3) * 10 + 1000: the provider's function and variable, through the consumer's version.
                .containsEntry("both", "1050")
                .containsEntry("provider_loaded", "1")
                .containsEntry("consumer_reverted", "5")
                .containsEntry("holders_after", "0")
                .containsEntry("loaded_end", "0").containsEntry("rows_end", "0");
        assertThat(v.get("holders")).as("a real module dependency").contains("dynamos_uses_consumer");
        assertThat(v.get("rmmod_err")).contains("in use by: dynamos_uses_consumer");
        assertThat(r.output()).doesNotContain("resolved uses_provider");
    }
}
