package dev.lamina.layerfs.store;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Where Lamina keeps things when no {@code --root} is given, as podman does: for the host's root
 * the store in {@code /var/lib/lamina}, runtime state in {@code /run/lamina} and configuration in
 * {@code /etc/lamina}; for any other user (rootless, also once inside its user namespace, where
 * it is uid 0) the store in {@code ${XDG_DATA_HOME:-~/.local/share}/lamina}, runtime state in
 * {@code $XDG_RUNTIME_DIR/lamina} (else a private {@code /tmp/lamina-run-UID}) and configuration
 * in {@code ${XDG_CONFIG_HOME:-~/.config}/lamina}. The one place that decides these.
 */
public final class StoreRoots {
  /** The environment variable that overrides the default root. */
  public static final String ENV = "LAMINA_ROOT";

  private StoreRoots() {}

  /**
   * The default root: {@code $LAMINA_ROOT} if set, else {@code /var/lib/lamina} for root, else
   * {@code ${XDG_DATA_HOME:-~/.local/share}/lamina}.
   */
  public static Path defaultRoot() {
    return defaultRoot(System.getenv(), !Rootless.active(), home(System.getenv()));
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
    return xdg(env, "XDG_DATA_HOME", home.resolve(".local/share")).resolve("lamina");
  }

  /** Where configuration is read: {@code /etc/lamina}, or the user's {@code ~/.config/lamina}. */
  public static Path configDir() {
    return configDir(System.getenv(), !Rootless.active(), home(System.getenv()));
  }

  /** {@link #configDir()} with its inputs made explicit. */
  public static Path configDir(Map<String, String> env, boolean isRoot, Path home) {
    return isRoot
        ? Path.of("/etc/lamina")
        : xdg(env, "XDG_CONFIG_HOME", home.resolve(".config")).resolve("lamina");
  }

  /**
   * Where runtime state lives (it goes with a reboot): {@code /run/lamina} for root; for a user
   * {@code $XDG_RUNTIME_DIR/lamina} when that directory is the user's own, else {@code
   * /tmp/lamina-run-UID}. Not created here: see {@link #privateDir}.
   */
  public static Path runtimeDir() {
    OptionalInt user = Rootless.user();
    return runtimeDir(System.getenv(), user, Posix.geteuid());
  }

  /** {@link #runtimeDir()} with its inputs made explicit; {@code euid} owns the user's files. */
  public static Path runtimeDir(Map<String, String> env, OptionalInt user, int euid) {
    if (user.isEmpty()) {
      return Path.of("/run/lamina");
    }
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (xdg != null && Path.of(xdg).isAbsolute() && ownedBy(Path.of(xdg), euid)) {
      return Path.of(xdg).resolve("lamina");
    }
    return Path.of("/tmp/lamina-run-" + user.getAsInt());
  }

  /**
   * Creates {@code dir} (mode 0700) if missing and checks that it is a directory of this
   * process's user that no one else can enter: a runtime directory under {@code /tmp} could
   * otherwise have been made by another user first.
   *
   * @throws IOException when it is not a directory, belongs to someone else, or is open to others
   */
  public static Path privateDir(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // Another process made it: checked below like any existing one.
      }
    }
    FileStat st = Posix.lstat(dir);
    if (!st.isDirectory() || st.uid() != Posix.geteuid() || (st.mode() & 077) != 0) {
      throw new IOException(dir + " is not a private directory of this user (it must be a"
          + " directory owned by this user with mode 0700); remove it or set XDG_RUNTIME_DIR");
    }
    return dir;
  }

  /**
   * Checks that a user's store {@code root} (if it exists) is the user's own, as podman refuses
   * another user's storage: rootless, files of another user could be neither changed nor removed.
   *
   * @throws StoreOwnerException when it belongs to another user
   */
  public static void checkOwner(Path root) throws IOException {
    if (!Rootless.active() || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    int owner = Posix.lstat(root).uid();
    if (owner != Posix.geteuid()) {
      throw new StoreOwnerException(root);
    }
  }

  /** The user's home: {@code $HOME}, else the password file's entry for the user. */
  static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    if (home != null && Path.of(home).isAbsolute()) {
      return Path.of(home);
    }
    OptionalInt user = Rootless.user();
    if (user.isPresent()) {
      try {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
          List<String> f = List.of(line.split(":", -1));
          if (f.size() >= 6 && f.get(2).equals(Integer.toString(user.getAsInt()))) {
            return Path.of(f.get(5));
          }
        }
      } catch (IOException e) {
        // Fall back to what the JVM says below.
      }
    }
    return Path.of(System.getProperty("user.home"));
  }

  private static Path xdg(Map<String, String> env, String name, Path fallback) {
    String xdg = env.get(name);
    // The XDG spec says a relative value is invalid and must be ignored.
    return xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : fallback;
  }

  private static boolean ownedBy(Path dir, int euid) {
    try {
      FileStat st = Posix.lstat(dir);
      return st.isDirectory() && st.uid() == euid;
    } catch (IOException e) {
      return false;
    }
  }
}
