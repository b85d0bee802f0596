package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs the real command-line tools that judge Lamina's output (GNU tar, sha256sum, gzip, zstd). */
final class Tools {
  private Tools() {}

  /** Runs {@code command}, fails the test on a non-zero exit, and returns its stdout. */
  static byte[] run(String... command) throws IOException, InterruptedException {
    return run(null, command);
  }

  /** As {@link #run(String...)}, with {@code stdin} fed from a file when not null. */
  static byte[] run(Path stdin, String... command) throws IOException, InterruptedException {
    Requirements.tool(command[0]);
    List<String> cmd = new ArrayList<>(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Process p = pb.start();
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    assertEquals(0, exit, String.join(" ", cmd) + " failed: "
        + new String(err.join(), StandardCharsets.UTF_8));
    return out;
  }

  /** As {@link #run(String...)}, returning stdout as text. */
  static String text(String... command) throws IOException, InterruptedException {
    return new String(run(command), StandardCharsets.UTF_8);
  }

  /** The hex sha256 that {@code sha256sum} prints for {@code file}. */
  static String sha256sum(Path file) throws IOException, InterruptedException {
    return text("sha256sum", file.toString()).split(" ")[0];
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return ("(stderr unreadable: " + e + ")").getBytes(StandardCharsets.UTF_8);
    }
  }
}
