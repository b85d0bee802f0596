package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A tree made directly on disk before a layer is applied: what the lower layers left. */
final class LowerTree {
  interface Step {
    void apply(Path root) throws IOException;
  }

  private final List<Step> steps = new ArrayList<>();

  static LowerTree lower() {
    return new LowerTree();
  }

  LowerTree dir(String name) {
    steps.add(root -> Files.createDirectories(root.resolve(name)));
    return this;
  }

  LowerTree file(String name, String content) {
    steps.add(
        root -> {
          Files.createDirectories(root.resolve(name).getParent());
          Files.writeString(root.resolve(name), content);
        });
    return this;
  }

  LowerTree symlink(String name, String target) {
    steps.add(root -> Posix.symlink(target, root.resolve(name)));
    return this;
  }

  LowerTree hardlink(String name, String target) {
    steps.add(root -> Files.createLink(root.resolve(name), root.resolve(target)));
    return this;
  }

  void apply(Path root) throws IOException {
    for (Step s : steps) {
      s.apply(root);
    }
  }

  /** lstat inside the test root (the path is trusted test input). */
  static FileStat stat(Path root, String name) throws IOException {
    return Posix.lstat(root.resolve(name));
  }
}
