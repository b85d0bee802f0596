package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileStat;

/**
 * The OCI whiteout names, in one place: {@code .wh.NAME} deletes NAME from the lower layers, and
 * {@code .wh..wh..opq} makes its directory opaque (hides every lower child).
 */
public final class Whiteouts {
  /** The prefix of a whiteout file's name. */
  public static final String PREFIX = ".wh.";

  /** The name of the opaque-directory marker. */
  public static final String OPAQUE = ".wh..wh..opq";

  /** The prefix of AUFS's own metadata ({@code .wh..wh.plnk}, ...), ignored when applying. */
  public static final String META_PREFIX = ".wh..wh.";

  private Whiteouts() {}

  /** Whether a base name (last path component) is a whiteout of any kind. */
  public static boolean isWhiteout(String baseName) {
    return baseName.startsWith(PREFIX);
  }

  /** Whether a base name is the opaque-directory marker. */
  public static boolean isOpaque(String baseName) {
    return OPAQUE.equals(baseName);
  }

  /**
   * Whether {@code st} is a whiteout as an overlay-format layer holds it on disk (see {@link
   * WhiteoutFormat.Overlay}): a 0:0 character device, which overlayfs reads as "deleted in the
   * layers below" and never shows.
   */
  public static boolean isOverlayWhiteout(FileStat st) {
    return st.isCharDevice() && st.rdevMajor() == 0 && st.rdevMinor() == 0;
  }

  /** The whiteout name hiding {@code baseName}. */
  public static String whiteoutFor(String baseName) {
    return PREFIX + baseName;
  }

  /**
   * The name a plain whiteout hides, or {@code null} when the whiteout cannot name a sibling:
   * {@code .wh.}, {@code .wh..} and {@code .wh...} would name the directory itself or its parent.
   */
  public static String hiddenName(String baseName) {
    String hidden = baseName.substring(PREFIX.length());
    if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
      return null;
    }
    return hidden;
  }
}
