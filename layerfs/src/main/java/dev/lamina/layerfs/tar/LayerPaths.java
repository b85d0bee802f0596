package dev.lamina.layerfs.tar;

/** Relative layer paths ({@code a/b/c}, no leading slash; the root is ""), taken apart and joined. */
public final class LayerPaths {
  private LayerPaths() {}

  public static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  public static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  /**
   * {@code name} under {@code dir}, made in one buffer of the right size: a walk joins a path for
   * every file, and a default-sized builder grown to a path's length made three times its size in
   * garbage (the build concatenates strings inline, see the parent POM).
   */
  public static String join(String dir, String name) {
    if (dir.isEmpty()) {
      return name;
    }
    return new StringBuilder(dir.length() + 1 + name.length())
        .append(dir).append('/').append(name).toString();
  }
}
