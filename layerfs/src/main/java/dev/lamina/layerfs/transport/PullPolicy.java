package dev.lamina.layerfs.transport;

import java.util.Locale;

/**
 * When {@code run}, {@code create} and a build's {@code FROM} pull their image ({@code --pull}).
 */
public enum PullPolicy {
  /** Only when the store lacks it (the default). */
  MISSING,
  /** Every time; the pull only moves what the store lacks. */
  ALWAYS,
  /** Never: the image must be in the store. */
  NEVER,
  /** When the registry's differs from the stored one; the stored one if the registry fails. */
  NEWER;

  /**
   * Parses podman's names: {@code missing}, {@code always} (or {@code true}), {@code never} (or
   * {@code false}), {@code newer}.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static PullPolicy parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "missing" -> MISSING;
      case "always", "true" -> ALWAYS;
      case "never", "false" -> NEVER;
      case "newer" -> NEWER;
      default -> throw new IllegalArgumentException(
          "unknown pull policy " + text + " (want missing, always, never or newer)");
    };
  }
}
