package dev.lamina.layerfs.overlay;

/** Relative layer paths ({@code a/b/c}, no leading slash; the root is ""), taken apart and joined. */
final class LayerPaths {
  private LayerPaths() {}

  static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  static String join(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }
}
