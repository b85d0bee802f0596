package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.lamina.layerfs.testing.Requirements;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class-data training run: quiet, and it leaves nothing behind. */
class TrainCommandTest {
  private static List<Path> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("lamina-cds-")).toList();
    }
  }

  @Test
  void train_printsNothing_removesItsStore() throws IOException {
    List<Path> before = leftovers();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code;
    try (PrintStream p = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      System.setErr(p);
      code = Main.execute(TrainCommand.NAME);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    assertEquals(0, code, printed.toString(StandardCharsets.UTF_8));
    assertEquals("", printed.toString(StandardCharsets.UTF_8));
    assertEquals(before, leftovers());
  }

  /**
   * The training of the commands that start a container: quiet, and nothing left (no store, no
   * monitor); it lists what a detached run and a start load (the detached run's lambdas would
   * otherwise be made at each {@code run -d}), and not the rest of Lamina's own classes, which
   * every run would map.
   */
  @Test
  void trainRun_listsADetachedRunAndAStart_notEveryClass(@TempDir Path tmp) throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    List<Path> before = leftovers();
    Path list = tmp.resolve("classes");
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:DumpLoadedClassList=" + list,
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), TrainCommand.NAME, TrainCommand.RUN));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertEquals("", out);
    assertEquals(before, leftovers());
    List<String> lines = Files.readAllLines(list);
    List<String> classes = lines.stream().map(l -> l.split(" ")[0]).toList();
    // The container's monitor, started as a daemon, named by its pid file.
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith(
            "@lambda-proxy dev/lamina/runner/runtime/Conmon get ()Ljava/util/function/Supplier;")),
        "a detached run is not trained");
    for (String c : List.of(
        "dev/lamina/cli/CreateCommand", "dev/lamina/cli/StartCommand",
        "dev/lamina/runner/volume/VolumeCodec", "dev/lamina/runner/runtime/AttachClient")) {
      assertTrue(classes.contains(c), c + " is not in the training's class list");
    }
    assertFalse(classes.contains("dev/lamina/builder/exec/RunStep"), "every class is listed");
    assertFalse(
        ProcessHandle.allProcesses()
            .anyMatch(h -> h.info().commandLine().orElse("").contains("lamina-cds-")),
        "a monitor of the training is left");
  }

  /**
   * The training runs a container to its end, attached to its monitor: the classes of what a
   * foreground run does after the container has started are in the list the archive is made from.
   */
  @Test
  void train_listsTheClassesOfARunToItsEnd(@TempDir Path tmp) throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Path list = tmp.resolve("classes");
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:DumpLoadedClassList=" + list,
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), TrainCommand.NAME));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    List<String> lines = Files.readAllLines(list);
    List<String> classes = lines.stream().map(l -> l.split(" ")[0]).toList();
    // Reading the records of containers that exist: without one in the store at training time,
    // the method reference that collects them would be made at each start of a run.
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith(
            "@lambda-proxy dev/lamina/runner/ContainerStore accept (Ljava/util/List;)")),
        "reading existing containers' records is not trained");
    for (String c : List.of(
        "dev/lamina/runner/runtime/AttachClient", "dev/lamina/runner/runtime/SignalForwarder",
        "dev/lamina/runner/ContainerSession", "dev/lamina/runner/ExecRequest",
        "dev/lamina/runner/runtime/Cgroups", "dev/lamina/runner/ContainerLogs",
        "dev/lamina/runner/volume/VolumeCodec", "dev/lamina/cli/NetworkCommand$Ls",
        "dev/lamina/layerfs/store/Images$RemovedImage",
        // Reached by no trained command: listed as one of all of Lamina's own classes.
        "dev/lamina/runner/runtime/RuncRuntime$Captured", "dev/lamina/runner/LogRecords",
        "dev/lamina/builder/exec/RunStep")) {
      assertTrue(classes.contains(c), c + " is not in the training's class list");
    }
  }
}
