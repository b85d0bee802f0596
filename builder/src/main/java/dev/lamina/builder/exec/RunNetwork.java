package dev.lamina.builder.exec;

import java.util.Locale;

/**
 * The network of a RUN step, as BuildKit defines its modes ({@code RUN --network}, and {@code
 * build --network} for the steps that do not say).
 */
public enum RunNetwork {
  /** A namespace of the build's own on the default bridge network, with outbound access. */
  DEFAULT,
  /** A namespace of the step's own with only {@code lo}. */
  NONE,
  /** The host's namespace. */
  HOST;

  /**
   * Parses {@code default}, {@code none} or {@code host}.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static RunNetwork parse(String mode) {
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "default" -> DEFAULT;
      case "none" -> NONE;
      case "host" -> HOST;
      default -> throw new IllegalArgumentException(
          "unsupported network mode \"" + mode + "\" (supported: default, none, host)");
    };
  }

  /** The mode's name as given on the command line. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The mode of a step that asks for {@code step} (null when it does not say) in a build whose
   * default is {@code build}: {@code default} means the build's, as in BuildKit.
   */
  static RunNetwork of(String step, RunNetwork build) {
    return step == null || step.equalsIgnoreCase("default") ? build : parse(step);
  }
}
