package dev.lamina.runner.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Finds an OCI runtime by name. runc is the default; crun is supported. */
public final class OciRuntimes {
  /** The runtime used when none is named. */
  public static final String DEFAULT = "runc";

  /** Debian package of each known runtime, for the "not installed" message. */
  private static final Map<String, String> PACKAGES = Map.of("runc", "runc", "crun", "crun");

  private OciRuntimes() {}

  /**
   * The runtime {@code name} (or an absolute path to a runtime binary), keeping its state under
   * {@code stateDir}/name.
   *
   * @throws RuntimeNotFoundException when the binary is not installed, naming the package
   * @throws IllegalArgumentException for a name Lamina does not know how to drive
   */
  public static OciRuntime select(String name, Path stateDir) throws RuntimeNotFoundException {
    String n = name == null || name.isBlank() ? DEFAULT : name.strip();
    Path binary;
    String shortName;
    if (n.startsWith("/")) {
      binary = Path.of(n);
      shortName = binary.getFileName().toString();
      if (!Files.isExecutable(binary)) {
        throw new RuntimeNotFoundException("OCI runtime not found: " + n + " is not executable");
      }
    } else {
      String pkg = PACKAGES.get(n);
      if (pkg == null) {
        throw new IllegalArgumentException(
            "unknown OCI runtime '" + n + "' (supported: runc, crun, or an absolute path)");
      }
      shortName = n;
      binary =
          which(n)
              .orElseThrow(
                  () ->
                      new RuntimeNotFoundException(
                          "OCI runtime "
                              + n
                              + " is not installed (on Debian/Ubuntu: apt-get install "
                              + pkg
                              + ")"));
    }
    return new RuncRuntime(shortName, binary, stateDir.resolve(shortName));
  }

  /**
   * The runtimes of the store at {@code laminaRoot}, each keeping its state under {@code
   * runtime/<name>}: a selector is given to {@link #select}; null stands for {@link #configured}.
   */
  public static RuntimeSource source(Path laminaRoot) {
    Path root = laminaRoot.toAbsolutePath().normalize();
    return selector ->
        select(selector == null ? configured(root) : selector, root.resolve("runtime"));
  }

  /**
   * The runtime to use when {@code --runtime} is not given: {@code $LAMINA_RUNTIME}, else the
   * {@code runtime} entry of {@code $LAMINA_ROOT/lamina.properties}, else {@link #DEFAULT}.
   *
   * @throws IOException if the properties file exists but cannot be read
   */
  public static String configured(Path laminaRoot) throws IOException {
    String env = System.getenv("LAMINA_RUNTIME");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    Path file = laminaRoot.resolve("lamina.properties");
    if (Files.isRegularFile(file)) {
      java.util.Properties p = new java.util.Properties();
      try (java.io.Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      String v = p.getProperty("runtime");
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return DEFAULT;
  }

  static Optional<Path> which(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate) && !new File(candidate.toString()).isDirectory()) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
