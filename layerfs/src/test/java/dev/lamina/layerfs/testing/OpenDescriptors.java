package dev.lamina.layerfs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What this process holds open, read from {@code /proc/self/fd}: to see that nothing leaked. */
public final class OpenDescriptors {
  private OpenDescriptors() {}

  /** The files under {@code dir} this process has descriptors of, removed ones included. */
  public static List<Path> under(Path dir) throws IOException {
    List<Path> fds;
    try (var list = Files.list(Path.of("/proc/self/fd"))) {
      fds = list.toList();
    }
    List<Path> open = new ArrayList<>();
    for (Path fd : fds) {
      try {
        Path target = Files.readSymbolicLink(fd);
        if (target.startsWith(dir)) {
          open.add(target);
        }
      } catch (IOException e) {
        // closed meanwhile (the listing's own)
      }
    }
    return open;
  }
}
