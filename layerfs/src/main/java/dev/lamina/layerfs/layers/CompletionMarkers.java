package dev.lamina.layerfs.layers;

import dev.lamina.layerfs.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The completion markers of extracted layers, in {@code layers/.complete/<name>}: written when a
 * layer's extraction has finished (before its directory gets its name), holding how many entries
 * and bytes of regular files the tree had, so {@code system check} can tell a complete layer from
 * one that lost files. The marker lives beside the layer, not in it, because the layer directory
 * is a container's lower as it is: a file inside would show up in every container.
 */
final class CompletionMarkers {
  static final String DIR = ".complete";

  private final Path dir;

  CompletionMarkers(Path layersDir) {
    this.dir = layersDir.resolve(DIR);
  }

  /** What a tree holds: entries below its root (of any type) and bytes of its regular files. */
  record Tally(long entries, long bytes) {
    @Override
    public String toString() {
      return entries + " entries and " + bytes + " bytes";
    }
  }

  /**
   * Counts the tree at {@code root}, never following symlinks.
   *
   * @throws IOException if it cannot be read
   */
  static Tally tally(Path root) throws IOException {
    long[] counts = new long[2];
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (!d.equals(root)) {
              counts[0]++;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            counts[0]++;
            if (attrs.isRegularFile()) {
              counts[1] += attrs.size();
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return new Tally(counts[0], counts[1]);
  }

  /** Records that the tree at {@code extracted} is complete, as the layer named {@code name}. */
  void write(String name, Path extracted) throws IOException {
    Tally t = tally(extracted);
    AtomicFiles.write(
        dir.resolve(name), (t.entries() + " " + t.bytes() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The tally recorded for {@code name}, empty if it has no marker (or an unreadable one). */
  Optional<Tally> read(String name) throws IOException {
    String text;
    try {
      text = Files.readString(dir.resolve(name), StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String[] parts = text.split(" ");
    try {
      return Optional.of(new Tally(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
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
