package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileNames;
import java.io.IOException;

/**
 * A layer tar that must not be applied: a hostile or malformed entry, an invalid whiteout, a limit
 * exceeded. The message is one line naming the entry.
 */
public final class LayerFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A problem with one named entry. */
  public LayerFormatException(String entryName, String problem) {
    super("invalid layer: entry '" + printable(entryName) + "': " + problem);
  }

  /** A problem with the archive as a whole. */
  public LayerFormatException(String problem) {
    super("invalid layer: " + problem);
  }

  /** A problem with the archive as a whole, with its cause. */
  public LayerFormatException(String problem, Throwable cause) {
    super("invalid layer: " + problem, cause);
  }

  /** Escapes control characters so that a hostile name cannot forge extra lines of output. */
  static String printable(String s) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), 256));
    for (int i = 0; i < s.length() && out.length() < 256; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else if (FileNames.isRawByte(s, i)) {
        out.append(String.format("\\x%02x", c & 0xff));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
