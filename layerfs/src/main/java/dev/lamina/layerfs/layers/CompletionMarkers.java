package dev.lamina.layerfs.layers;

import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.tar.TreeTally;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The completion markers of extracted layers, in {@code layers/.complete/<name>}: written when a
 * layer's extraction has finished (before its directory gets its name), holding how many entries
 * and bytes of regular files the tree had, so {@code system check} can tell a complete layer from
 * one that lost files. The marker lives beside the layer, not in it, because the layer directory
 * is a container's lower as it is: a file inside would show up in every container. What a tree
 * holds is counted as {@link TreeTally} counts it.
 */
final class CompletionMarkers {
  static final String DIR = ".complete";

  private final Path dir;

  CompletionMarkers(Path layersDir) {
    this.dir = layersDir.resolve(DIR);
  }

  /** Records that the tree of the layer named {@code name} is complete, holding {@code t}. */
  void write(String name, TreeTally t) throws IOException {
    AtomicFiles.write(
        dir.resolve(name), (t.entries() + " " + t.bytes() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The tally recorded for {@code name}, empty if it has no marker (or an unreadable one). */
  Optional<TreeTally> read(String name) throws IOException {
    String text;
    try {
      text = Files.readString(dir.resolve(name), StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String[] parts = text.split(" ");
    try {
      return Optional.of(new TreeTally(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return Optional.empty();
    }
  }

  /** Removes the marker of {@code name}, if any. */
  void remove(String name) throws IOException {
    Files.deleteIfExists(dir.resolve(name));
  }

  /** Whether {@code name} has a marker. */
  boolean has(String name) {
    return Files.exists(dir.resolve(name));
  }

  /** The markers directory (to skip when listing layers). */
  Path dir() {
    return dir;
  }
}
