package dev.lamina.cli;

import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.SeccompPolicy;
import java.util.List;

/**
 * {@code --security-opt} values, as docker and podman take them ({@code key=value}, or the older
 * {@code key:value}).
 *
 * <ul>
 *   <li>{@code seccomp=unconfined} or {@code seccomp=PROFILE.json};
 *   <li>{@code no-new-privileges[=true|false]}: setuid binaries and file capabilities grant
 *       nothing (off unless given, as with Docker);
 *   <li>{@code label=disable} and {@code apparmor=unconfined}: accepted, as Lamina applies neither
 *       SELinux labels nor AppArmor profiles.
 * </ul>
 */
final class SecurityOptions {
  private SecurityOptions() {}

  /**
   * Sets on {@code options} what {@code opts} ask for.
   *
   * @throws UserException for an option Lamina does not know or cannot honour
   */
  static void apply(List<String> opts, ContainerOptions.Builder options) {
    for (String opt : opts) {
      int sep = separator(opt);
      String key = sep < 0 ? opt : opt.substring(0, sep);
      String value = sep < 0 ? null : opt.substring(sep + 1);
      switch (key) {
        case "seccomp" -> {
          try {
            options.seccomp(SeccompPolicy.parse(value));
          } catch (IllegalArgumentException e) {
            throw refused(e.getMessage());
          }
        }
        case "no-new-privileges" -> options.noNewPrivileges(bool(opt, value));
        case "label" -> requireValue(opt, value, "disable");
        case "apparmor" -> requireValue(opt, value, "unconfined");
        default ->
            throw refused(
                "unknown --security-opt " + opt
                    + " (supported: seccomp=unconfined|FILE, no-new-privileges, label=disable,"
                    + " apparmor=unconfined)");
      }
    }
  }

  /** A flag's value: absent means true. */
  private static boolean bool(String opt, String value) {
    if (value == null || value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw refused("--security-opt " + opt + ": the value must be true or false");
  }

  /** The first '=' or, failing that, ':' (docker's older form). */
  private static int separator(String opt) {
    int eq = opt.indexOf('=');
    return eq >= 0 ? eq : opt.indexOf(':');
  }

  private static void requireValue(String opt, String value, String only) {
    if (!only.equals(value)) {
      throw refused("--security-opt " + opt + " is not supported (only " + only + ")");
    }
  }

  private static UserException refused(String message) {
    return new UserException(message);
  }
}
