package dev.lamina.layerfs.overlay;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The mount points an OCI runtime had to create in a container's upper (the empty file under a
 * bind-mounted {@code /etc/hosts}, the empty directory under a volume): they are artifacts of
 * running, not changes the container made, so a layer made from the upper leaves them out.
 */
public final class MountPoints {
  private MountPoints() {}

  /**
   * The upper-relative paths that exist only because a mount was made at one of {@code
   * destinations}: an empty regular file or empty directory at the destination, and each parent
   * that holds nothing else, none of them copied up from a lower (no {@code overlay.origin}).
   *
   * @param destinations absolute container paths such as {@code /etc/hosts}
   * @throws IOException if the upper cannot be read
   */
  public static Set<String> createdIn(Path upper, Collection<String> destinations)
      throws IOException {
    Set<String> created = new HashSet<>();
    for (String destination : destinations) {
      String path = clean(destination);
      while (!path.isEmpty()) {
        if (!isEmptyArtifact(upper, path, created)) {
          break;
        }
        created.add(path);
        int slash = path.lastIndexOf('/');
        path = slash < 0 ? "" : path.substring(0, slash);
      }
    }
    return created;
  }

  private static boolean isEmptyArtifact(Path upper, String path, Set<String> created)
      throws IOException {
    Path p = upper.resolve(path);
    FileStat st;
    try {
      st = Posix.lstat(p);
    } catch (NoSuchFileException e) {
      return false;
    }
    if (st.isDirectory()) {
      try (Stream<Path> children = Files.list(p)) {
        // empty, or holding only mount points already found
        if (children.anyMatch(c -> !created.contains(path + "/" + c.getFileName()))) {
          return false;
        }
      }
    } else if (!(st.isRegularFile() && st.size() == 0)) {
      return false;
    }
    return Posix.lgetxattr(p, "trusted.overlay.origin").isEmpty()
        && Posix.lgetxattr(p, "user.overlay.origin").isEmpty();
  }

  private static String clean(String destination) {
    String p = Path.of("/").resolve(destination).normalize().toString();
    return p.equals("/") ? "" : p.substring(1);
  }
}
