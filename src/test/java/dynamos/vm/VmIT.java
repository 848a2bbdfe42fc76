package dynamos.vm;

import static dynamos.testing.Guest.q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.testing.Guest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** End to end: Debian's stock kernel boots in QEMU, runs commands, and loads a module built against its headers. */
class VmIT {
    @Test
    void runsACommandAsRootOnTheStockKernelAndReturnsItsStatus() {
        VmResult r = Guest.run("uname -r; id -u; test -r /proc/kallsyms; echo to-stderr >&2; exit 7");
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.output()).contains(Guest.kernel().version()).contains("\n0\n").contains("to-stderr");
        assertThat(r.consoleLog()).contains("Linux version " + Guest.kernel().version());
        assertThat(r.kernelLog()).contains("9p");
        Guest.assertCleanKernelLog(r);
    }

    @Test
    void guestWritesStayInTheGuestExceptInTheShare() throws Exception {
        Path share = Files.createTempDirectory(Guest.REPO.resolve("target"), "share");
        Path probe = Guest.REPO.resolve("target").resolve("guest-write-probe");
        Files.deleteIfExists(probe);
        VmOptions o = Guest.options();
        o.share = share;
        VmResult r = Guest.runClean(o, "echo guest > " + q(probe) + "; cat " + q(probe)
                + "; echo result > " + q(share.resolve("out.txt")) + "; echo tmp > /tmp/x; cat /tmp/x; modprobe -n -v overlay");
        assertThat(r.output()).contains("guest").contains("tmp");
        assertThat(probe).as("the host root is read-only to the guest").doesNotExist();
        assertThat(Files.readString(share.resolve("out.txt"))).isEqualTo("result\n");
    }

    /**
     * Under systemd the guest's /tmp is still the host's: Debian's tmpfiles.d empties /tmp at boot and tmp.mount
     * would cover it, which hid a checkout kept there (a CI clone) from the command, and a share under /tmp.
     */
    @Test
    void underSystemdTheHostsTmpAndAShareThereStayVisible() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "dynamos-vmit-");
        Path hostFile = Files.writeString(dir.resolve("host-file"), "from the host's tmp\n");
        Path share = Files.createDirectory(dir.resolve("share"));
        Files.writeString(share.resolve("kept"), "kept in the share\n");
        VmOptions o = Guest.options();
        o.systemd = true;
        o.share = share;
        try {
            VmResult r = Guest.runClean(o, "cat " + q(hostFile) + " " + q(share.resolve("kept")));
            assertThat(r.output()).contains("from the host's tmp").contains("kept in the share");
            assertThat(share.resolve("kept")).hasContent("kept in the share");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void buildsAModuleAgainstTheStockHeadersAndLoadsAndUnloadsIt() {
        List<Path> kos = Guest.buildTestModule("hello");
        Path ko = kos.getFirst();
        VmResult r = Guest.runClean("insmod " + q(ko) + "; grep -q '^dynamos_hello ' /proc/modules;"
                + " rmmod dynamos_hello; ! grep -q '^dynamos_hello ' /proc/modules; echo module-ok");
        assertThat(r.output()).contains("module-ok");
        assertThat(r.kernelLog()).contains("dynamos_hello: loaded into " + Guest.kernel().version())
                .contains("dynamos_hello: unloaded");
    }

    @Test
    void aHangingGuestIsKilledAfterTheTimeoutWithTheLastConsoleLines() {
        VmOptions o = Guest.options();
        o.timeout = Duration.ofSeconds(25);
        assertThatThrownBy(() -> Guest.run(o, "echo hanging; sleep 600"))
                .isInstanceOf(VmException.class)
                .hasMessageContaining("did not finish within 25 s")
                .hasMessageContaining("last console lines")
                .satisfies(e -> assertThat(((VmException) e).exitCode()).isEqualTo(Vm.EXIT_TIMEOUT));
    }

    @Test
    void aKernelThatDoesNotReachInitIsBootedAgainOnceThenReportedWithItsRegisters() {
        VmOptions o = Guest.options();
        // boot_delay holds every boot message for 200 ms: init comes ~60 s late, past the 6 s allowed here.
        o.kernelArgs = "boot_delay=200";
        o.bootTimeout = Duration.ofSeconds(6);
        assertThatThrownBy(() -> Guest.run(o, "echo should-not-run"))
                .isInstanceOf(VmException.class)
                .hasMessageContaining("hung while booting 2 times in a row")
                .hasMessageNotContaining("should-not-run")
                .satisfies(e -> {
                    VmException v = (VmException) e;
                    assertThat(v.exitCode()).isEqualTo(125);
                    assertThat(v.runDir().resolve(Vm.HANG_REGISTERS)).content().contains("RIP=");
                    assertThat(v.runDir().resolve("exit-status")).doesNotExist();
                });
    }

    @Test
    void aForwardedHostPortReachesAServerInTheGuest() throws Exception {
        Path share = Files.createTempDirectory(Guest.REPO.resolve("target"), "net");
        int hostPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            hostPort = free.getLocalPort();
        }
        VmOptions o = Guest.options();
        o.share = share;
        o.forwards.add(new VmOptions.Forward(hostPort, 8080));
        String served = share.resolve("www").toString();
        String done = share.resolve("done").toString();
        // The guest serves until the host says it has read the page (or 120 s pass).
        java.util.concurrent.CompletableFuture<VmResult> guest = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                Guest.run(o, "mkdir -p " + q(served) + " && echo served-by-guest > " + q(served + "/index.html")
                        + " && busybox httpd -p 10.0.2.15:8080 -h " + q(served)
                        + " && i=0; while [ ! -e " + q(done) + " ] && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done;"
                        + " ip -o -4 addr show; test -e " + q(done)));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String body = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (body == null && System.nanoTime() < deadline && !guest.isDone()) {
            try {
                java.net.http.HttpResponse<String> res = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + hostPort + "/index.html")).timeout(Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    body = res.body();
                }
            } catch (java.io.IOException notYet) {
                Thread.sleep(1000);
            }
        }
        Files.writeString(share.resolve("done"), "read\n");
        VmResult r = guest.get();
        assertThat(body).isEqualTo("served-by-guest\n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.output()).contains("inet 127.0.0.1/8").contains("inet 10.0.2.15/24");
        Guest.assertCleanKernelLog(r);
    }
}
