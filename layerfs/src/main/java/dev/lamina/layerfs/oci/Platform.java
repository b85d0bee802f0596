package dev.lamina.layerfs.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/** The platform an image runs on (image-spec {@code image-index.md}). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Platform(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("os.version") String osVersion,
    @JsonProperty("os.features") List<String> osFeatures,
    @JsonProperty("variant") String variant) {

  /** The platform of this host, in Go's GOOS/GOARCH names. */
  public static Platform host() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String goArch =
        switch (arch) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          case "x86", "i386", "i686" -> "386";
          case "ppc64le" -> "ppc64le";
          case "s390x" -> "s390x";
          case "riscv64" -> "riscv64";
          default -> arch;
        };
    return new Platform(goArch, "linux", null, null, "arm64".equals(goArch) ? "v8" : null);
  }

  /**
   * Parses {@code os/arch[/variant]} as docker's {@code --platform} does.
   *
   * @throws IllegalArgumentException on malformed text
   */
  public static Platform parse(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split("/");
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException("invalid platform " + text + " (want os/arch[/variant])");
    }
    return new Platform(parts[1], parts[0], null, null, parts.length == 3 ? parts[2] : null);
  }

  /** Whether this platform satisfies {@code wanted} (variant only compared when both have one). */
  public boolean matches(Platform wanted) {
    if (!eq(os, wanted.os) || !eq(architecture, wanted.architecture)) {
      return false;
    }
    return variant == null || wanted.variant == null || variant.equals(wanted.variant);
  }

  private static boolean eq(String a, String b) {
    return a != null && a.equals(b);
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
