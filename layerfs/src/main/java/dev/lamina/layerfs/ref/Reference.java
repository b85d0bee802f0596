package dev.lamina.layerfs.ref;

import dev.lamina.layerfs.digest.Digest;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An image reference {@code [domain[:port]/]path[:tag][@digest]}, normalised to its full form.
 *
 * <p>Names without a domain are local names and get {@code localhost/}: {@code hello} is {@code
 * localhost/hello:latest}. A name whose first component looks like a host (has a dot or a colon,
 * or is {@code localhost}) is kept as given, so {@code docker.io/library/busybox} stays itself.
 * The grammar is the distribution spec's: lowercase path components, tags of at most 128
 * characters.
 */
public record Reference(String domain, String path, String tag, Digest digest) {
  public static final String DEFAULT_TAG = "latest";
  public static final String LOCAL_DOMAIN = "localhost";

  private static final Pattern COMPONENT =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
              + "(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");

  public Reference {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(path, "path");
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
  }

  /**
   * Parses and normalises a reference.
   *
   * @throws IllegalArgumentException with a one-line reason if it is not a valid reference
   */
  public static Reference parse(String text) {
    Objects.requireNonNull(text, "reference");
    String rest = text;
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("empty image reference");
    }
    if (rest.length() > 4096) {
      throw new IllegalArgumentException("image reference too long");
    }
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid image reference " + text + ": " + e.getMessage());
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("invalid tag in image reference " + text);
      }
    }
    String domain;
    String path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    if (namesRegistry(rest)) {
      domain = first;
      path = rest.substring(slash + 1);
      if (!DOMAIN.matcher(domain).matches()) {
        throw new IllegalArgumentException("invalid registry host in image reference " + text);
      }
    } else {
      domain = LOCAL_DOMAIN;
      path = rest;
    }
    if (path.isEmpty()) {
      throw new IllegalArgumentException("invalid image reference " + text + ": empty name");
    }
    for (String component : path.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException(
            "invalid image reference "
                + text
                + ": name components must be lowercase letters, digits and separators");
      }
    }
    if (domain.length() + 1 + path.length() > 255) {
      throw new IllegalArgumentException("invalid image reference " + text + ": name too long");
    }
    return new Reference(domain, path, tag, digest);
  }

  /**
   * Whether {@code text}'s first component names a registry host, as docker tells: it has a dot
   * or a port, is {@code localhost}, or is an IPv6 address in brackets, and more follows it. A
   * name without one is a short name ({@code alpine}, {@code library/alpine}).
   */
  public static boolean namesRegistry(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return false;
    }
    String first = text.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals(LOCAL_DOMAIN)
        || first.startsWith("[");
  }

  /** Whether {@code text} parses as a reference. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code domain/path}, without tag or digest. */
  public String repository() {
    return domain + "/" + path;
  }

  /** A copy with another tag and no digest. */
  public Reference withTag(String newTag) {
    return parse(repository() + ":" + newTag);
  }

  /** The full normalised form, e.g. {@code localhost/hello:latest}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(repository());
    if (tag != null) {
      sb.append(':').append(tag);
    }
    if (digest != null) {
      sb.append('@').append(digest);
    }
    return sb.toString();
  }
}
