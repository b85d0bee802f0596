package dev.lamina.layerfs.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Whom this process works for: the host's root, or an unprivileged user (rootless), either
 * before it has entered its user namespace (its uid is not 0) or inside it, where it is uid 0 but
 * {@value #ENV} names the user it maps to, as podman's {@code _CONTAINERS_USERNS_CONFIGURED}
 * does. What a rootless process must do otherwise (overlayfs's {@code user.} xattrs, a store of
 * the user's own) follows from here.
 */
public final class Rootless {
  /** Set in the environment of a process that runs inside a user's namespace: the user's uid. */
  public static final String ENV = "_LAMINA_ROOTLESS_UID";

  private static final String INITIAL_UID_MAP = "0 0 4294967295";

  private Rootless() {}

  /** The unprivileged user's host uid, or empty when this process runs as the host's root. */
  public static OptionalInt user() {
    return user(System.getenv(), Posix.geteuid());
  }

  /** {@link #user()} with its inputs made explicit. */
  public static OptionalInt user(Map<String, String> env, int euid) {
    String marked = env.get(ENV);
    if (marked != null && !marked.isEmpty()) {
      try {
        return OptionalInt.of(Integer.parseInt(marked));
      } catch (NumberFormatException e) {
        // A value this code never wrote: go by the real identity.
      }
    }
    return euid == 0 ? OptionalInt.empty() : OptionalInt.of(euid);
  }

  /** Whether this process works for an unprivileged user. */
  public static boolean active() {
    return user().isPresent();
  }

  /** Whether this process runs inside a user namespace (its uid 0 is not the host's). */
  public static boolean inUserNamespace() {
    return Holder.IN_USER_NAMESPACE;
  }

  /** Whether {@code uidMap} (as {@code /proc/self/uid_map} reads) is the initial namespace's. */
  static boolean initial(String uidMap) {
    return uidMap.strip().replaceAll("\\s+", " ").equals(INITIAL_UID_MAP);
  }

  private static final class Holder {
    static final boolean IN_USER_NAMESPACE = read();

    private static boolean read() {
      try {
        return !initial(Files.readString(Path.of("/proc/self/uid_map")));
      } catch (IOException e) {
        return false;
      }
    }
  }
}
