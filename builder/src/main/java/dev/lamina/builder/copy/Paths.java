package dev.lamina.builder.copy;

import java.util.ArrayDeque;
import java.util.Deque;

/** Lexical operations on the {@code /}-separated paths of recipes and root filesystems. */
public final class Paths {
  private Paths() {}

  /**
   * {@code path} made absolute and cleaned like Go's {@code path.Clean("/" + path)}: no empty,
   * {@code .} or {@code ..} components, no trailing slash (except the root itself).
   */
  public static String clean(String path) {
    if (isClean(path)) {
      return path; // as most are: a COPY of a large tree cleans the path of each of its files
    }
    Deque<String> out = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        out.pollLast();
        continue;
      }
      out.addLast(part);
    }
    return "/" + String.join("/", out);
  }

  /**
   * Whether {@link #clean} gives {@code path} back as it is: absolute, and without an empty,
   * {@code .} or {@code ..} component or a trailing slash.
   */
  private static boolean isClean(String path) {
    if (!path.startsWith("/")) {
      return false;
    }
    if (path.length() == 1) {
      return true;
    }
    return !path.endsWith("/") && !path.endsWith("/.") && !path.endsWith("/..")
        && path.indexOf("//") < 0 && path.indexOf("/./") < 0 && path.indexOf("/../") < 0;
  }

  /**
   * The destination of a COPY/ADD or a WORKDIR relative to the working directory {@code workdir},
   * cleaned, keeping a trailing {@code /} (which says "a directory").
   */
  public static String resolveAgainst(String workdir, String path) {
    String joined = path.startsWith("/") ? path : (workdir == null ? "/" : workdir) + "/" + path;
    if (path.isEmpty() || path.equals(".")) {
      joined = (workdir == null ? "/" : workdir) + "/";
    }
    String cleaned = clean(joined);
    boolean dir = path.endsWith("/") || path.endsWith("/.") || path.equals(".") || path.isEmpty();
    return dir && !cleaned.equals("/") ? cleaned + "/" : cleaned;
  }

  /**
   * The working directory after {@code WORKDIR path} in {@code current}, as BuildKit's {@code
   * NormalizeWorkdir}: an absolute path is kept exactly as written (a trailing {@code /} and all);
   * only a relative one is joined to the current directory and cleaned.
   */
  public static String workdir(String current, String path) {
    String parent = current == null || current.isEmpty() ? "/" : current;
    if (!parent.startsWith("/")) {
      parent = clean(parent);
    }
    if (path.isEmpty()) {
      path = parent;
    }
    return path.startsWith("/") ? path : clean(parent + "/" + path);
  }

  /** {@code child} under the in-root directory {@code dir} ({@code /} for the root). */
  public static String join(String dir, String child) {
    if (child.isEmpty()) {
      return dir;
    }
    return dir.equals("/") ? "/" + child : dir + "/" + child;
  }

  /** The last component ({@code ""} for the root). */
  public static String baseName(String path) {
    String c = clean(path);
    return c.substring(c.lastIndexOf('/') + 1);
  }

  /** The parent directory of an absolute clean path; the root's parent is the root. */
  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** The layer path of an absolute in-root path (no leading slash); empty for the root. */
  public static String layerPath(String path) {
    return clean(path).substring(1);
  }
}
