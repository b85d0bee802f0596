package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.spec.ContainerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container whose store fills up while it runs, on a small tmpfs of its own: its output keeps
 * flowing, its monitor (conmon) leaves out of the log what the file cannot take and the log
 * resumes when space returns. (conmon neither reports nor counts what it left out.)
 */
class FullStoreLogTest {
  /** More than a pipe holds: the printer ends only once conmon has read (and failed to log) most. */
  private static final int LINES = 30000;

  @TempDir static Path shared;
  private static Path base;

  @TempDir Path tmp;
  private Path small;
  private Path ctl;
  private Containers containers;

  @BeforeAll
  static void buildRootfs() throws IOException {
    base = ContainerFixtures.busyboxBase(shared);
  }

  @BeforeEach
  void mountSmallStore() throws Exception {
    small = Files.createDirectories(tmp.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", small.toString());
    ctl = Files.createDirectories(tmp.resolve("ctl"));
    containers =
        Containers.open(
                small.resolve("lamina"),
                ExitCommand.javaProcess(),
                OciRuntimes.source(small.resolve("lamina")));
  }

  @AfterEach
  void unmount() throws Exception {
    try {
      for (ContainerRecord r : containers.list(true)) {
        containers.remove(r.id(), true, true);
      }
    } finally {
      // The small store's own mount too.
      OverlayMount.unmountAllUnder(tmp);
    }
  }

  /**
   * A shell that says it runs ({@code /ctl/ready}), waits for {@code /ctl/go}, prints {@link #LINES} lines, says so in {@code
   * /ctl/printed}, waits for {@code /ctl/more}, then prints "after".
   */
  private ContainerRequest printer(String name) {
    return printer(name, false);
  }

  private ContainerRequest printer(String name, boolean terminal) {
    String script =
        "touch /ctl/ready; until [ -e /ctl/go ]; do sleep 0.05; done; seq 1 " + LINES + "; touch /ctl/printed;"
            + " until [ -e /ctl/more ]; do sleep 0.05; done; echo after";
    ContainerImage image =
        new ContainerImage(
            "localhost/busybox:latest",
            Digest.sha256("config".getBytes(StandardCharsets.UTF_8)).toString(),
            ImageConfig.empty("2026-01-01T00:00:00Z")
                .withConfig(ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh")).build()),
            List.of(base));
    return ContainerRequest.of(
            image, ContainerOptions.builder().terminal(terminal).args("sh", "-c", script).build())
        .withVolumes(List.of(ctl + ":/ctl"))
        .withName(name);
  }

  /** Fills the small store to the last byte; returns the file that holds the space. */
  private Path fill() throws IOException {
    Path filler = small.resolve("filler");
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
    }
    // The last partial block too: nothing more fits.
    try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
      for (int i = 0; i < 64 * 1024; i++) {
        out.write(0);
        out.flush();
      }
    } catch (IOException full) {
      // full
    }
    return filler;
  }

  private static String expectedLines() {
    return IntStream.rangeClosed(1, LINES).mapToObj(Integer::toString)
        .collect(Collectors.joining("\n", "", "\n"));
  }

  /** The output the log holds, as {@code logs} prints it. */
  private String logText(String name) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContainerLogs.copy(containers, name, out, false);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void foreground_storeFillsUp_terminalGetsEverything_logResumes() throws Exception {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    AtomicInteger code = new AtomicInteger(-1);
    Thread fg =
        new Thread(
            () -> {
              try {
                ContainerSession session = containers.runAttached(printer("fg"), r -> {}, null);
                session.client().copyOutput(terminal, terminal);
                session.close();
                code.set(session.await());
              } catch (Exception e) {
                code.set(-2);
              }
            });
    fg.start();
    awaitFile(ctl.resolve("ready"));
    Path filler = fill();
    Files.createFile(ctl.resolve("go"));
    awaitFile(ctl.resolve("printed"));
    Files.delete(filler);
    Files.createFile(ctl.resolve("more"));
    fg.join(60_000);
    assertFalse(fg.isAlive());
    assertEquals(0, code.get(), "the container was not broken by its log");
    assertEquals(expectedLines() + "after\n", terminal.toString(StandardCharsets.UTF_8));
    String log = logText("fg");
    assertTrue(log.endsWith("after\n"), "the log resumed: " + log);
    assertTrue(log.length() < expectedLines().length(), "some output was left out of the log");
  }

  @Test
  void detached_storeFillsUp_containerKeepsRunning_logResumes() throws Exception {
    runDetachedThroughFullStore("bg", false);
    String log = logText("bg");
    assertTrue(log.endsWith("after\n"), "the log resumed: " + log);
    assertTrue(log.length() < expectedLines().length(), "some output was left out of the log");
  }

  @Test
  void detachedTerminal_storeFillsUp_containerKeepsRunning_logResumes() throws Exception {
    runDetachedThroughFullStore("tty", true);
    String log = logText("tty");
    // A terminal gives CRLF line ends.
    assertTrue(log.endsWith("after\r\n"), "the log resumed: " + log);
    assertTrue(log.length() < expectedLines().length(), "some output was left out of the log");
  }

  /**
   * Starts a detached {@link #printer}, fills the store while it prints, frees it, checks that
   * the container still runs, and returns its exit record.
   */
  private ContainerRecord runDetachedThroughFullStore(String name, boolean terminal)
      throws Exception {
    ContainerRecord rec = containers.create(printer(name, terminal));
    containers.start(rec.id());
    awaitFile(ctl.resolve("ready"));
    Path filler = fill();
    Files.createFile(ctl.resolve("go"));
    awaitFile(ctl.resolve("printed"));
    Files.delete(filler);
    assertEquals(ContainerState.RUNNING, containers.inspect(name).state());
    Files.createFile(ctl.resolve("more"));
    ContainerRecord done = containers.await(name, Duration.ofSeconds(60));
    assertEquals(ContainerState.EXITED, done.state());
    assertEquals(0, done.exitCode(), "the container was not broken by its log");
    return done;
  }

  private static void awaitFile(Path f) throws Exception {
    for (int i = 0; i < 1200; i++) {
      if (Files.exists(f)) {
        return;
      }
      Thread.sleep(25);
    }
    try (var l = Files.list(f.getParent())) {
      throw new AssertionError(f + " never appeared; there: " + l.toList());
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + ": " + out);
    }
  }
}
