package dynamos.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.host.Exec;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Debian package end to end: built by packaging/build-deb, installed with dpkg in the guest (whose root
 * is the host's, in memory), the postinst's DKMS putting dynamos.ko in place for the guest's kernel; the
 * installed command applies, reverts and installs an update; a second boot, under systemd, with what a disk
 * keeps, applies the installed update from dynamos.service; purge leaves nothing.
 *
 * <p>DKMS's compile runs on the host: the same {@code dkms build}, of the package's own source and dkms.conf,
 * against the guest kernel's headers (the guest's root is the host's), gives the same module natively in 25 s
 * that took 4 to 13 minutes of emulated CPU in the guest, a third of a CI run. The guest's dpkg then runs the
 * postinst's {@code dkms add} and {@code dkms install}, which finds the module built where DKMS keeps it.
 * {@code -Ddynamos.it.dkmsInGuest=true} has DKMS compile in the guest too, as on a real machine.
 */
class PackageIT {
    @Test
    void theInstalledPackageBuildsTheFrameworkWithDkmsAndAppliesInstalledUpdatesAtBoot() throws IOException {
        Path deb = buildPackage();
        Path update = UpdateBuilder.compile(Guest.REPO.resolve("src/test/updates/boot_version"),
                Guest.REPO.resolve("target/kmod").resolve(Guest.kernel().version()).resolve("test-updates")
                        .resolve("boot_version"), Guest.kernel()).getFirst();
        Path keep = Files.createTempDirectory(Guest.REPO.resolve("target"), "package-keep-");
        Exec.Result key = Exec.capture(List.of("openssl", "req", "-new", "-x509", "-nodes", "-days", "36500",
                "-subj", "/CN=DKMS module signing key", "-newkey", "rsa:2048", "-keyout",
                keep.resolve("mok.key").toString(), "-outform", "DER", "-out", keep.resolve("mok.pub").toString()));
        assertThat(key.ok()).as("openssl: %s", key.output()).isTrue();
        Exec.Result control = Exec.capture(List.of("dpkg-deb", "-f", deb.toString(), "Version"));
        assertThat(control.ok()).as("dpkg-deb -f: %s", control.output()).isTrue();
        String version = control.output().strip();
        Path dkmsTree = buildWithDkms(deb, version, keep);
        Path makeLog = dkmsTree.resolve("dynamos").resolve(version).resolve(Guest.kernel().version())
                .resolve("x86_64/log/make.log");
        assertThat(Files.readString(makeLog)).as("DKMS's make log").contains("CC [M]")
                .contains("/dynamos/" + version + "/build/main.o");
        // The packaged tool names the package's version (the runtime it ships runs it here too).
        Exec.Result named = Exec.capture(List.of(keep.resolve("deb/usr/lib/dynamos/runtime/bin/java").toString(),
                "-jar", keep.resolve("deb/usr/share/dynamos/dynamos.jar").toString(), "--version"));
        assertThat(named.output().strip()).isEqualTo("dynamos " + version);

        boolean compileInGuest = Boolean.getBoolean("dynamos.it.dkmsInGuest");
        VmOptions first = Guest.options();
        first.timeout = Duration.ofMinutes(compileInGuest ? 25 : 10);
        first.env.put("DKMS_BUILT", compileInGuest ? "" : dkmsTree.toString());
        first.share = keep;
        first.env.put("DEB", deb.toString());
        first.env.put("UPDATE_KO", update.toString());
        first.env.put("KEEP", keep.toString());
        Map<String, String> v = FrameworkGuest.values(Guest.runClean(first, script("package-install.sh")));

        assertThat(v.get("dkms_status")).contains("dynamos/" + version).contains(Guest.kernel().version())
                .contains("installed");
        assertThat(v.get("module_built")).isEqualTo("yes");
        assertThat(v.get("unit_enabled")).isEqualTo("yes");
        assertThat(v.get("state_dir")).isEqualTo("700");
        assertThat(Integer.parseInt(v.get("man_pages"))).as("one page per command and dynamos(8)")
                .isGreaterThanOrEqualTo(30);
        assertThat(Integer.parseInt(v.get("man_install"))).isPositive();
        assertThat(v.get("completion")).isEqualTo("uninstall");
        assertThat(v.get("completion_option")).isEqualTo("--installed");
        assertThat(v.get("loaded_from")).endsWith("/updates/dkms/dynamos.ko");
        assertThat(v.get("applied_version")).isEqualTo("1");
        assertThat(v.get("reverted_version")).isEqualTo("0");
        assertThat(v.get("installed_json")).contains("\"name\": \"boot_version\"")
                .contains("\"kernel\": \"" + Guest.kernel().version() + "\"").contains("\"applied\": false");
        assertThat(v.get("installed_applied_now")).isEqualTo("0");
        assertThat(v.get("twice")).startsWith("rc=1").contains("already installed");
        assertThat(v.get("not_a_module")).startsWith("rc=1");
        assertThat(v.get("uninstall_unknown")).startsWith("rc=1").contains("no update no_such_update is installed");
        assertThat(v.get("installed_count")).isEqualTo("1");
        assertThat(Integer.parseInt(v.get("kept"))).as("files the disk keeps").isGreaterThan(100);

        VmOptions second = Guest.options();
        second.share = keep;
        second.systemd = true;
        second.env.putAll(first.env);
        second.timeout = Duration.ofMinutes(10);
        // The guest's writes stay in memory: what a disk would keep of the first boot is unpacked first.
        second.beforeSystemd = "tar -xpf \"$KEEP/disk.tar\" -C /";
        Map<String, String> b = FrameworkGuest.values(Guest.runClean(second, script("package-boot.sh")));

        assertThat(b.get("unit_active")).isEqualTo("active");
        assertThat(b.get("unit_result")).isEqualTo("success");
        assertThat(b.get("journal_applied")).isEqualTo("1");
        assertThat(b.get("journal_summary")).startsWith("1 applied, 0 already applied, 0 skipped, 0 failed");
        assertThat(b.get("boot_version")).as("the update runs after the boot").isEqualTo("1");
        assertThat(b.get("listed")).contains("\"applied\": true");
        assertThat(b.get("installed_after_uninstall")).isEqualTo("0");
        assertThat(b.get("still_applied")).isEqualTo("1");
        assertThat(b.get("stopped_version")).isEqualTo("0");
        assertThat(b.get("left_after_purge")).isEqualTo("none");
        assertThat(b.get("dpkg_status")).doesNotContain("install ok installed");
    }

    /**
     * DKMS's build of dynamos.ko for the guest's kernel, from the source in the package, into a DKMS tree of its
     * own under {@code keep} (the host's /var/lib/dkms is not touched), signed with {@code keep}'s key as DKMS
     * would sign with its own; returns that tree.
     */
    private static Path buildWithDkms(Path deb, String version, Path keep) throws IOException {
        Path unpacked = keep.resolve("deb");
        Path tree = Files.createDirectories(keep.resolve("dkms-tree"));
        Exec.Result x = Exec.capture(List.of("dpkg-deb", "-x", deb.toString(), unpacked.toString()));
        assertThat(x.ok()).as("dpkg-deb -x: %s", x.output()).isTrue();
        Map<String, String> signing = Map.of("mok_signing_key", keep.resolve("mok.key").toString(),
                "mok_certificate", keep.resolve("mok.pub").toString());
        List<String> where = List.of("-m", "dynamos", "-v", version, "--sourcetree",
                unpacked.resolve("usr/src").toString(), "--dkmstree", tree.toString());
        for (List<String> step : List.of(List.of("dkms", "add"),
                List.of("dkms", "build", "-k", Guest.kernel().version()))) {
            List<String> command = new ArrayList<>(step);
            command.addAll(where);
            Exec.Result r = Exec.capture(command, keep, signing);
            assertThat(r.ok()).as("%s: %s", command, r.output()).isTrue();
        }
        return tree;
    }

    /** packaging/build-deb on the jar Maven just packaged; returns the .deb. */
    private static Path buildPackage() {
        Exec.Result r = Exec.capture(List.of(Guest.REPO.resolve("packaging/build-deb").toString(), "--skip-build"),
                Guest.REPO, Map.of());
        assertThat(r.ok()).as("build-deb: %s", r.output()).isTrue();
        String last = r.output().strip().lines().reduce((a, c) -> c).orElse("");
        Path deb = Guest.REPO.resolve(last);
        assertThat(deb).isRegularFile();
        return deb;
    }

    private static String script(String name) {
        return ". " + Guest.q(Guest.REPO.resolve("src/test/resources/guest").resolve(name));
    }
}
