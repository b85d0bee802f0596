package dev.lamina.runner.spec;

import java.util.ArrayList;
import java.util.List;

/** Paths inside a container: absolute, cleaned lexically ({@code ..} cannot climb above /). */
public final class ContainerPaths {
  private ContainerPaths() {}

  /**
   * Checks that {@code path} is absolute.
   *
   * @throws IllegalArgumentException when it is not
   */
  public static String requireAbsolute(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("container path must be absolute: " + path);
    }
    return path;
  }

  /**
   * {@code path} made absolute and cleaned: duplicate slashes, {@code .} and {@code ..} removed,
   * with {@code ..} at the root staying at the root.
   */
  public static String clean(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else {
        parts.add(part);
      }
    }
    return "/" + String.join("/", parts);
  }
}
