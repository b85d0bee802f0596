package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a test needs from the machine: a tool on PATH, root. Without it the test is skipped, unless
 * {@code LAMINA_REQUIRE_ALL_TESTS=1} (CI), where a skip would hide a gap and so fails instead.
 */
public final class Requirements {
  private Requirements() {}

  /** Whether skips are turned into failures. */
  public static boolean allRequired() {
    return "1".equals(System.getenv("LAMINA_REQUIRE_ALL_TESTS"));
  }

  /** Skips (or fails under CI) unless {@code condition} holds. */
  public static void require(boolean condition, String what) {
    if (condition) {
      return;
    }
    if (allRequired()) {
      fail("required for this test but missing: " + what + " (LAMINA_REQUIRE_ALL_TESTS=1)");
    }
    assumeTrue(false, "missing: " + what);
  }

  /** The path of {@code name} on PATH; skips or fails when it is absent. */
  public static Path tool(String name) {
    Optional<Path> found = which(name);
    require(found.isPresent(), "the " + name + " command (apt-get install " + name + ")");
    return found.orElseThrow();
  }

  /** Requires running as root (uid 0). */
  public static void root() {
    require("root".equals(System.getProperty("user.name")), "root privileges");
  }

  /** Looks {@code name} up on PATH. */
  public static Optional<Path> which(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
