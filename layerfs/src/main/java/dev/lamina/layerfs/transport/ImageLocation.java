package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.registry.RegistryReference;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an image is copied from or to, in skopeo's transport syntax: {@code oci:DIR[:REF]}, {@code
 * oci-archive:FILE[:REF]}, {@code docker-archive:FILE[:REF]}, {@code docker://HOST/NAME:TAG}.
 *
 * <p>As in skopeo, the path ends at the first colon after the transport, so a path cannot contain
 * a colon and the REF may ({@code oci:/tmp/l:localhost/hello:latest}).
 */
public record ImageLocation(Transport transport, String path, String ref) {

  /** The transports Lamina knows. */
  public enum Transport {
    OCI("oci"),
    OCI_ARCHIVE("oci-archive"),
    DOCKER_ARCHIVE("docker-archive"),
    DOCKER("docker");

    private final String prefix;

    Transport(String prefix) {
      this.prefix = prefix;
    }

    /** The name before the colon, e.g. {@code oci-archive}. */
    public String prefix() {
      return prefix;
    }
  }

  public ImageLocation {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(path, "path");
    if (path.isEmpty()) {
      throw new IllegalArgumentException("empty path in image location");
    }
    if (ref != null && ref.isEmpty()) {
      ref = null;
    }
  }

  /**
   * Parses a location.
   *
   * @throws IllegalArgumentException with a one-line reason if the text is not a location
   */
  public static ImageLocation parse(String text) {
    Objects.requireNonNull(text, "image location");
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "invalid image location "
              + text
              + " (want oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF] or"
              + " docker://NAME)");
    }
    String name = text.substring(0, colon);
    String rest = text.substring(colon + 1);
    for (Transport t : Transport.values()) {
      if (!t.prefix.equals(name)) {
        continue;
      }
      if (t == Transport.DOCKER) {
        if (!rest.startsWith("//") || rest.length() == 2) {
          throw new IllegalArgumentException("invalid image location " + text
              + " (want docker://HOST/NAME[:TAG])");
        }
        try {
          RegistryReference.parse(rest.substring(2));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "invalid image location " + text + ": " + e.getMessage(), e);
        }
        return new ImageLocation(t, rest.substring(2), null);
      }
      int sep = rest.indexOf(':');
      String path = sep < 0 ? rest : rest.substring(0, sep);
      String ref = sep < 0 ? null : rest.substring(sep + 1);
      if (path.isEmpty()) {
        throw new IllegalArgumentException("invalid image location " + text + ": empty path");
      }
      return new ImageLocation(t, path, ref);
    }
    throw new IllegalArgumentException(
        "unknown transport " + name + " in " + text
            + " (known: oci, oci-archive, docker-archive, docker)");
  }

  /**
   * The registry image of a {@code docker://} location.
   *
   * @throws IllegalStateException for other transports
   */
  public RegistryReference registryReference() {
    if (transport != Transport.DOCKER) {
      throw new IllegalStateException(this + " is not a registry location");
    }
    return RegistryReference.parse(path);
  }

  /** The path as a file system path (not for {@code docker://}). */
  public Path file() {
    return Path.of(path);
  }

  @Override
  public String toString() {
    if (transport == Transport.DOCKER) {
      return "docker://" + path;
    }
    return transport.prefix() + ":" + path + (ref == null ? "" : ":" + ref);
  }
}
