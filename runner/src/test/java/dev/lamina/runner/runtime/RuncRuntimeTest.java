package dev.lamina.runner.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import dev.lamina.runner.spec.RuntimeSpecs;
import dev.lamina.runner.testing.BusyboxRootfs;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuncRuntimeTest {
  @TempDir Path tmp;
  private Path bundle;
  private OciRuntime runc;
  private String id;

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root();
    Requirements.tool("runc");
    bundle = Files.createDirectories(tmp.resolve("bundle"));
    BusyboxRootfs.create(bundle.resolve("rootfs"));
    runc = OciRuntimes.select("runc", tmp.resolve("state"));
    id = "lamina-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (runc != null) {
      runc.delete(id, true);
    }
  }

  private void writeSpec(String... args) throws IOException {
    ContainerConfig c = ContainerConfig.EMPTY.toBuilder().cmd(List.of(args)).build();
    RuntimeSpec spec =
        RuntimeSpecs.fromImageConfig(
            ImageConfig.empty("2026-01-01T00:00:00Z").withConfig(c),
            ContainerOptions.defaults(),
            bundle.resolve("rootfs"));
    Files.write(bundle.resolve("config.json"), JsonWriter.toBytes(spec, RuntimeSpecCodec.INSTANCE));
  }

  @Test
  void run_exitCode_propagated() throws Exception {
    writeSpec("sh", "-c", "exit 7");
    Path out = tmp.resolve("out");
    assertEquals(7, runc.run(id, bundle, Stdio.toLog(OutputLog.appendingTo(out)), false, false));
    assertEquals(Optional.empty(), runc.state(id));
  }

  @Test
  void run_missingCommand_runtimeFailureInOneLine() throws IOException {
    writeSpec("/no/such/binary");
    OciRuntimeException e =
        assertThrows(
            OciRuntimeException.class, () -> runc.run(id, bundle, Stdio.toLog(OutputLog.appendingTo(tmp.resolve("o"))), false, false));
    assertTrue(e.getMessage().contains("/no/such/binary"), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
  }

  /**
   * A process the runtime cannot start: the runtime says why on its stderr as well as in its log,
   * but only the exception reports it (the caller prints it once); the container's output, which
   * the runtime's stderr also carries, gets nothing of it.
   */
  @Test
  void run_missingCommand_runtimesOwnStderrLineLeftOut() throws Exception {
    writeSpec("/no/such/binary");
    Path out = tmp.resolve("out");
    OciRuntimeException e = assertThrows(OciRuntimeException.class,
        () -> runc.run(id, bundle, Stdio.toLog(OutputLog.appendingTo(out)), false, false));
    assertEquals(127, e.exitCode(), e.getMessage());
    assertEquals("", Files.exists(out) ? Files.readString(out) : "");
  }

  /** Once the process runs, its stderr reaches the output at once, not when it ends. */
  @Test
  void run_processStderr_passedOnWhileItRuns() throws Exception {
    writeSpec("sh", "-c", "echo early >&2; while [ ! -e /go ]; do sleep 0.05; done; echo late; exit 4");
    Path out = tmp.resolve("out");
    java.util.concurrent.CompletableFuture<Integer> code =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return runc.run(id, bundle, Stdio.toLog(OutputLog.appendingTo(out)), false, false);
          } catch (Exception failed) {
            throw new java.util.concurrent.CompletionException(failed);
          }
        });
    try {
      for (int i = 0; i < 200 && !(Files.exists(out) && Files.readString(out).contains("early")); i++) {
        Thread.sleep(50);
      }
      assertEquals("early\n", Files.readString(out), "the process's stderr was held back");
    } finally {
      Files.writeString(bundle.resolve("rootfs/go"), "");
    }
    assertEquals(4, code.get());
    assertEquals("early\nlate\n", Files.readString(out));
  }

  @Test
  void lifecycle_createStartStateKillDelete() throws Exception {
    writeSpec("sleep", "100");
    Stdio quiet = new Stdio(Redirect.from(Path.of("/dev/null").toFile()),
        Redirect.DISCARD, Redirect.DISCARD);
    runc.create(id, bundle, quiet);
    assertEquals("created", runc.state(id).orElseThrow().status());
    runc.start(id);
    RuntimeState running = runc.state(id).orElseThrow();
    assertEquals("running", running.status());
    assertTrue(running.pid() > 0);
    assertEquals(id, running.id());
    assertEquals(bundle.toAbsolutePath().toString(), running.bundle());

    runc.kill(id, "KILL");
    for (int i = 0; i < 100 && runc.state(id).orElseThrow().isRunning(); i++) {
      Thread.sleep(20);
    }
    assertEquals("stopped", runc.state(id).orElseThrow().status());
    runc.delete(id, false);
    assertEquals(Optional.empty(), runc.state(id));
  }

  @Test
  void kill_unknownContainer_fails() {
    assertThrows(OciRuntimeException.class, () -> runc.kill(id, "TERM"));
  }

  @Test
  void select_unknownName_refused() {
    assertThrows(
        IllegalArgumentException.class, () -> OciRuntimes.select("kata", tmp.resolve("s")));
  }

  @Test
  void select_missingBinary_namesTheProblem() {
    RuntimeNotFoundException e =
        assertThrows(
            RuntimeNotFoundException.class,
            () -> OciRuntimes.select("/nonexistent/crun", tmp.resolve("s")));
    assertTrue(e.getMessage().contains("/nonexistent/crun"));
  }

  @Test
  void crun_onHybridCgroupHost_explainedInPlainWords() throws Exception {
    Requirements.tool("crun");
    boolean hybrid = Files.isDirectory(Path.of("/sys/fs/cgroup/unified"));
    Requirements.require(hybrid, "a hybrid cgroup host (cgroup v2 mounted at /sys/fs/cgroup/unified)");
    writeSpec("true");
    OciRuntime crun = OciRuntimes.select("crun", tmp.resolve("state"));
    OciRuntimeException e =
        assertThrows(
            OciRuntimeException.class, () -> crun.run(id, bundle, Stdio.toLog(OutputLog.appendingTo(tmp.resolve("o"))), false, false));
    assertTrue(e.getMessage().contains("hybrid cgroup"), e.getMessage());
    assertTrue(e.getMessage().contains("--runtime runc"), e.getMessage());
  }
}
