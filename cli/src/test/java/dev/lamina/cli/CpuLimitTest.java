package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --cpus} reaches the kernel: the container's cgroup gets the matching CFS quota. */
class CpuLimitTest {
  @TempDir Path tmp;
  private Cli lamina;

  @AfterEach
  void tearDown() throws IOException {
    if (lamina != null) {
      lamina.run("rm", "-f", "limited");
    }
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void cpus_setsTheCfsQuotaOfTheContainersCgroup() throws Exception {
    Requirements.root();
    Path runc = Requirements.tool("runc");
    lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "busybox").ok();
    lamina.run("run", "-d", "--name", "limited", "--cpus", "0.5", "busybox", "sleep", "30").ok();
    String id =
        Json.readTree(lamina.run("inspect", "limited").ok().out().getBytes(StandardCharsets.UTF_8))
            .get(0)
            .get("Id")
            .asText();

    // A detached container's monitor starts it shortly after run -d returns: ask until it is up.
    JsonNode s = null;
    for (int i = 0; i < 100 && (s == null || s.path("pid").asLong() == 0); i++) {
      Process state =
          new ProcessBuilder(
                  runc.toString(), "--root", tmp.resolve("store/runtime/runc").toString(), "state",
                  id)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      byte[] out = state.getInputStream().readAllBytes();
      s = state.waitFor() == 0 ? Json.readTree(out) : null;
      if (s == null || s.path("pid").asLong() == 0) {
        Thread.sleep(50);
      }
    }
    long pid = s == null ? 0 : s.path("pid").asLong();
    assertTrue(pid > 0, "the container did not start");

    String quota = null;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
      String[] f = line.split(":", 3);
      if (f[1].equals("cpu") || f[1].equals("cpu,cpuacct")) { // cgroup v1 (or hybrid)
        Path dir = Path.of("/sys/fs/cgroup", f[1], f[2]);
        quota =
            Files.readString(dir.resolve("cpu.cfs_quota_us")).strip()
                + " "
                + Files.readString(dir.resolve("cpu.cfs_period_us")).strip();
      } else if (quota == null && f[0].equals("0")) { // pure cgroup v2
        Path max = Path.of("/sys/fs/cgroup", f[2], "cpu.max");
        if (Files.exists(max)) {
          quota = Files.readString(max).strip();
        }
      }
    }
    assertEquals("50000 100000", quota);
  }
}
