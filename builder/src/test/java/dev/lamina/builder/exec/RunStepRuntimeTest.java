package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import dev.lamina.runner.testing.RecordingRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a RUN step asks of the OCI runtime the build is given, with a runtime that records its
 * calls (no runc, no base image): one run, on a bundle whose root filesystem holds the state's
 * layers and whose process is the step's command. What runc then does is tested by the builds
 * that run busybox.
 */
class RunStepRuntimeTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  private BuildResult build(RecordingRuntime runtime, String recipe) throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("f"), "from the context");
    return Builder.build(
        store,
        BuildOptions.builder(ctx).recipeText(recipe).tag("test").runtime(runtime).build(),
        Progress.quiet());
  }

  /** What a step sees while it runs: its runtime spec, as the bundle holds it. */
  private interface StepCheck {
    void check(RuntimeSpec spec) throws IOException;
  }

  /** A recording runtime that shows {@code check} each step's spec while the step runs. */
  private static RecordingRuntime duringStep(StepCheck check) {
    return new RecordingRuntime()
        .duringRun(
            bundle -> {
              try {
                check.check(
                    JsonFiles.read(bundle.resolve("config.json"), RuntimeSpecCodec.INSTANCE));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  @Test
  void run_givenRuntime_runsTheStepOnItsLayers() throws Exception {
    List<String> seen = new ArrayList<>();
    RecordingRuntime runtime =
        duringStep(
            spec -> {
              seen.addAll(spec.process().args());
              seen.add(Files.readString(Path.of(spec.root().path()).resolve("f")));
            });
    build(runtime, "FROM scratch\nCOPY f /f\nRUN [\"/bin/step\", \"arg\"]\n");
    assertEquals(List.of("/bin/step", "arg", "from the context"), seen);
    assertEquals(1, runtime.calls().size(), runtime.calls().toString());
    assertTrue(runtime.calls().get(0).startsWith("run lamina-build-"), runtime.calls().toString());
  }

  /**
   * A step's upper lives only until its layer is read from it: mounted volatile, so that its
   * unmount does not sync the store's whole filesystem.
   */
  @Test
  void run_stepsRootIsMountedVolatile() throws Exception {
    Requirements.root();
    List<MountTable.Entry> mounts = new ArrayList<>();
    RecordingRuntime runtime =
        duringStep(
            spec -> {
              Path root = Path.of(spec.root().path()).toAbsolutePath().normalize();
              MountTable.read().stream()
                  .filter(m -> m.mountPoint().equals(root))
                  .forEach(mounts::add);
            });
    build(runtime, "FROM scratch\nCOPY f /f\nRUN [\"/bin/step\"]\n");
    assertEquals(1, mounts.size(), mounts.toString());
    assertTrue(mounts.get(0).superOptions().contains("upperdir="), mounts.toString());
    assertTrue(mounts.get(0).overlayVolatile(), mounts.toString());
  }

  @Test
  void run_stepFails_buildFailsWithItsExitCode() throws Exception {
    RecordingRuntime runtime = new RecordingRuntime().exitingWith(3);
    BuildException e =
        assertThrows(
            BuildException.class, () -> build(runtime, "FROM scratch\nRUN [\"/bin/step\"]\n"));
    assertTrue(e.getMessage().contains("exit code: 3"), e.getMessage());
  }

  @Test
  void run_noRuntimeGiven_usesTheStoresConfiguredOne() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Path missing = tmp.resolve("no-such-runtime");
    // The store's configuration names the runtime, as for run (LAMINA_RUNTIME overrides it).
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("LAMINA_RUNTIME") == null);
    Files.writeString(store.root().resolve("lamina.properties"), "runtime=" + missing + "\n");
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("f"), "x");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                Builder.build(
                    store,
                    BuildOptions.builder(ctx)
                        .recipeText("FROM scratch\nCOPY f /f\nRUN [\"/bin/step\"]\n")
                        .build(),
                    Progress.quiet()));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }
}
