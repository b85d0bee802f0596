package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.runner.runtime.CommandNotFoundException;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.RuntimeSource;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.testing.RecordingRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the runner asks of the OCI runtime it is given, and what it records, with a runtime that
 * records its calls: no runc, no privilege (the root filesystem is an overlay with root, a
 * flattened copy without). What runc then does is tested in {@link ContainersTest}.
 */
class ContainerLifecycleTest {
  @TempDir Path tmp;
  private Path layer;
  private final RecordingRuntime runtime = new RecordingRuntime();
  private final List<String> selected = Collections.synchronizedList(new ArrayList<>());
  private Containers containers;

  @BeforeEach
  void setUp() throws IOException {
    layer = Files.createDirectories(tmp.resolve("layers/base"));
    Files.createDirectories(layer.resolve("etc"));
    Files.writeString(layer.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(layer.resolve("hello"), "from the image");
    RuntimeSource source =
        selector -> {
          selected.add(String.valueOf(selector));
          return runtime;
        };
    containers = Containers.open(tmp.resolve("lamina"), ExitCommand.javaProcess(), source);
  }

  @AfterEach
  void noMountLeft() throws IOException {
    ContainerFixtures.removeAllLeavingNoMount(containers, tmp);
  }

  private ContainerRequest sh(String script) {
    ContainerImage image =
        new ContainerImage(
            "localhost/base:latest",
            Digest.sha256("config".getBytes(StandardCharsets.UTF_8)).toString(),
            ImageConfig.empty("2026-01-01T00:00:00Z")
                .withConfig(ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh")).build()),
            List.of(layer));
    return ContainerRequest.of(image, ContainerOptions.builder().args("sh", "-c", script).build());
  }

  private int run(ContainerRequest request) throws Exception {
    return containers.run(request, Stdio.inherit(), false);
  }

  @Test
  void run_exitCode_propagatedAndRecorded() throws Exception {
    runtime.exitingWith(7);
    assertEquals(7, run(sh("exit 7").withName("seven")));
    ContainerRecord rec = containers.inspect("seven");
    assertEquals(ContainerState.EXITED, rec.state());
    assertEquals(7, rec.exitCode());
    assertTrue(StatusText.of(rec, Instant.now()).startsWith("Exited (7) "));
    assertEquals(List.of("sh", "-c", "exit 7"), rec.command());
    assertEquals(List.of("run " + rec.id()), runtime.calls());
  }

  @Test
  void run_rootfsAssembledFromTheLayers_whileItRuns() throws Exception {
    List<String> seen = new ArrayList<>();
    runtime.duringRun(
        bundle -> {
          try {
            seen.add(Files.readString(RootfsAssembly.rootfs(bundle).resolve("hello")));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    run(sh("true").withName("reader"));
    assertEquals(List.of("from the image"), seen);
    assertEquals(containers.bundle("reader"), runtime.lastBundle());
  }

  @Test
  void run_withRm_leavesNoContainer() throws Exception {
    assertEquals(0, run(sh("true").withAutoRemove(true)));
    assertEquals(List.of(), containers.list(true));
    assertEquals(1, runtime.calls().stream().filter(c -> c.startsWith("run ")).count());
  }

  @Test
  void ps_listsRunningAndExited() throws Exception {
    runtime.exitingWith(3);
    run(sh("exit 3").withName("done"));
    List<ContainerRecord> all = containers.list(true);
    assertEquals(1, all.size());
    assertEquals(List.of(), containers.list(false));
    assertEquals("done", all.get(0).name());
    assertTrue(all.get(0).id().matches("[0-9a-f]{64}"));
  }

  @Test
  void create_duplicateName_refused() throws Exception {
    containers.create(sh("true").withName("twin"));
    assertThrows(ContainerException.class, () -> containers.create(sh("true").withName("twin")));
    assertEquals(1, containers.list(true).size());
  }

  @Test
  void runtimeByPath_recordedAndSelectedAgainByLaterCommands() throws Exception {
    ContainerRecord c =
        containers.create(sh("true").withName("wrapped").withRuntime(" /opt/runtimes/myrunc "));
    assertEquals("/opt/runtimes/myrunc", c.runtime());
    selected.clear();
    containers.startAttached("wrapped", Stdio.inherit(), false);
    assertEquals(List.of("/opt/runtimes/myrunc"), selected.stream().distinct().toList());
    assertEquals(List.of("run " + c.id()), runtime.calls());
  }

  @Test
  void runtimeByName_recordedAsTheRuntimeNamesItself() throws Exception {
    ContainerRecord c = containers.create(sh("true").withName("default"));
    assertEquals(List.of("null"), selected);
    assertEquals("recording", c.runtime());
  }

  @Test
  void run_failedStart_exitCodeFromTheFailuresType_notItsWords() throws Exception {
    runtime.failingToStart(new CommandNotFoundException("it is gone"));
    assertThrows(CommandNotFoundException.class, () -> run(sh("true").withName("gone")));
    assertEquals(127, containers.inspect("gone").exitCode());
    assertEquals("it is gone", containers.inspect("gone").error());

    runtime.failingToStart(new OciRuntimeException("mount /data: no such file or directory"));
    assertThrows(OciRuntimeException.class, () -> run(sh("true").withName("unmounted")));
    assertEquals(125, containers.inspect("unmounted").exitCode());
  }

  /**
   * A {@code run} or {@code create} killed (SIGKILL) after it wrote the container's first record
   * and before its bundle: the record names its creator, and once that is gone the next command
   * that looks removes it, as the creator would have had it failed. One whose creator lives on
   * (a creation in progress) is left alone.
   */
  @Test
  void creationKilledHalfway_isRemovedByTheNextCommand_oneInProgressIsNot() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String killed = halfCreated(gone.pid(), "2026-01-01T00:00:00Z");
    ProcessHandle self = ProcessHandle.current();
    String inProgress =
        halfCreated(self.pid(), self.info().startInstant().map(Instant::toString).orElse(null));
    List<String> listed = containers.list(true).stream().map(ContainerRecord::id).toList();
    assertEquals(List.of(inProgress), listed);
    assertTrue(!Files.exists(tmp.resolve("lamina/containers").resolve(killed)), "its directory is left");
  }

  /** A created container's record and directory as its creator left them before its bundle. */
  private String halfCreated(long creator, String creatorStarted) throws IOException {
    ContainerRecord c = containers.create(sh("true"));
    Path cdir = tmp.resolve("lamina/containers").resolve(c.id());
    Files.delete(cdir.resolve("config.json"));
    ContainerRecord half = c.toBuilder().command(List.of()).monitorPid(creator)
        .monitorStarted(creatorStarted).build();
    dev.lamina.layerfs.store.AtomicFiles.write(cdir.resolve("container.json"),
        dev.lamina.layerfs.json.JsonWriter.toBytes(half, ContainerRecordCodec.INSTANCE));
    return c.id();
  }
}
