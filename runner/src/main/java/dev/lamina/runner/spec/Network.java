package dev.lamina.runner.spec;

import java.util.Locale;

/** The container's network: {@code host} shares the host's, {@code none} gets an empty one. */
public enum Network {
  HOST,
  NONE;

  /**
   * Parses a {@code --network} value.
   *
   * @throws IllegalArgumentException for any other mode (bridged networking is not supported yet)
   */
  public static Network parse(String mode) {
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "host" -> HOST;
      case "none" -> NONE;
      default -> throw new IllegalArgumentException(
          "unsupported network mode '" + mode + "' (supported: host, none)");
    };
  }
}
