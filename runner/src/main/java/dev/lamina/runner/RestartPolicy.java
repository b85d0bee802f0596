package dev.lamina.runner;

import java.util.Locale;

/**
 * {@code --restart no|on-failure[:N]|always|unless-stopped}: whether a container that exits is
 * started again, while the host stays up (nothing restarts containers after a reboot).
 *
 * @param name {@code no}, {@code on-failure}, {@code always} or {@code unless-stopped}
 * @param maxRetries for {@code on-failure}, how many restarts at most (0: no limit)
 */
public record RestartPolicy(String name, int maxRetries) {
  public static final RestartPolicy NO = new RestartPolicy("no", 0);

  /**
   * Whether this is {@link #NO}. (Not through {@code equals}: a record's generated {@code equals}
   * is bootstrapped at its first call, milliseconds of classes spun at run time.)
   */
  public boolean never() {
    return name.equals(NO.name);
  }

  public RestartPolicy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("--restart: the maximum retry count cannot be negative");
    }
    if (maxRetries > 0 && !name.equals("on-failure")) {
      throw new IllegalArgumentException(
          "--restart: a maximum retry count is only valid with on-failure");
    }
  }

  /**
   * Parses the flag's value.
   *
   * @throws IllegalArgumentException for another policy or a bad count
   */
  public static RestartPolicy parse(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    int colon = v.indexOf(':');
    String name = colon < 0 ? v : v.substring(0, colon);
    if (!name.equals("no") && !name.equals("on-failure") && !name.equals("always")
        && !name.equals("unless-stopped")) {
      throw new IllegalArgumentException(
          "invalid --restart " + value + " (no, on-failure[:N], always or unless-stopped)");
    }
    int max = 0;
    if (colon >= 0) {
      try {
        max = Integer.parseInt(v.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid --restart " + value + ": the count is not a number");
      }
    }
    return new RestartPolicy(name, max);
  }

  /**
   * Whether a container that exited with {@code exitCode}, already restarted {@code restarts}
   * times, starts again. One stopped by {@code stop} or {@code kill} never does (docker keeps it
   * down until it is started by hand or the daemon restarts; there is no daemon here).
   */
  public boolean restarts(Integer exitCode, int restarts, boolean stoppedByUser) {
    if (stoppedByUser) {
      return false;
    }
    return switch (name) {
      case "always", "unless-stopped" -> true;
      case "on-failure" ->
          (exitCode == null || exitCode != 0) && (maxRetries == 0 || restarts < maxRetries);
      default -> false;
    };
  }

  @Override
  public String toString() {
    return maxRetries > 0 ? name + ":" + maxRetries : name;
  }
}
