package dev.lamina.layerfs.store;

import java.nio.file.Path;
import java.util.Map;

/** Where the store lives when no {@code --root} is given. */
public final class StoreRoots {
  /** The environment variable that overrides the default root. */
  public static final String ENV = "LAMINA_ROOT";

  private StoreRoots() {}

  /**
   * The default root: {@code $LAMINA_ROOT} if set, else {@code /var/lib/lamina} for root, else
   * {@code ${XDG_DATA_HOME:-~/.local/share}/lamina}.
   */
  public static Path defaultRoot() {
    return defaultRoot(System.getenv(), "root".equals(System.getProperty("user.name")),
        Path.of(System.getProperty("user.home")));
  }

  /** {@link #defaultRoot()} with its inputs made explicit (for tests and other callers). */
  public static Path defaultRoot(Map<String, String> env, boolean isRoot, Path home) {
    String override = env.get(ENV);
    if (override != null && !override.isEmpty()) {
      return Path.of(override).toAbsolutePath().normalize();
    }
    if (isRoot) {
      return Path.of("/var/lib/lamina");
    }
    String xdg = env.get("XDG_DATA_HOME");
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    Path data =
        xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : home.resolve(".local/share");
    return data.resolve("lamina");
  }
}
