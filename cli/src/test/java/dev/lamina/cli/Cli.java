package dev.lamina.cli;

import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code lamina} in-process against one store root, capturing what it prints. Not
 * thread-safe: System.out/err are swapped for the duration of a call.
 */
final class Cli {
  private final Path root;

  Cli(Path root) {
    this.root = root;
  }

  /** What one command printed, and its exit code. */
  record Result(int code, String out, String err) {
    Result ok() {
      if (code != 0) {
        throw new AssertionError("exit " + code + "\nstdout: " + out + "\nstderr: " + err);
      }
      return this;
    }

    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }

  Result run(String... args) {
    // Networks a test creates are defined beside its store, never in the host's /etc.
    List<String> all = new ArrayList<>(List.of("--root", root.toString(),
        "--network-config-dir", networkConfigDir().toString()));
    all.addAll(List.of(args));
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      int code = Main.execute(all.toArray(String[]::new));
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Where the networks this store's tests create are defined. */
  Path networkConfigDir() {
    return root.resolveSibling(root.getFileName() + ".networks");
  }

  /** The project's checkout, for scripts such as samples/busybox/make-rootfs. */
  static Path projectRoot() {
    String env = System.getenv("LAMINA_TEST_PROJECT_ROOT");
    Path p = env != null ? Path.of(env) : Path.of("").toAbsolutePath().getParent();
    if (!Files.isDirectory(p.resolve("samples"))) {
      throw new IllegalStateException("cannot find the project root from " + p);
    }
    return p;
  }

  /** A busybox root filesystem made by samples/busybox/make-rootfs. */
  static Path busyboxRootfs(Path dir) throws IOException, InterruptedException {
    Requirements.require(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static");
    Process p =
        new ProcessBuilder(
                projectRoot().resolve("samples/busybox/make-rootfs").toString(), dir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("make-rootfs failed: " + output);
    }
    return dir;
  }
}
