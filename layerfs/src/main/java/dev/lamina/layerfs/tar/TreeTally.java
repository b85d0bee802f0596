package dev.lamina.layerfs.tar;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a tree holds: its entries below the root, of any type (each name of a hard-linked file
 * counted), and the bytes of its regular files (each name's). What an extracted layer's
 * completion marker records, so that a layer that lost files can be told from a whole one.
 *
 * @param entries entries below the root
 * @param bytes bytes of regular files
 */
public record TreeTally(long entries, long bytes) {
  /**
   * Counts the tree at {@code root}, never following symlinks.
   *
   * @throws IOException if it cannot be read
   */
  public static TreeTally of(Path root) throws IOException {
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
    return new TreeTally(counts[0], counts[1]);
  }

  @Override
  public String toString() {
    return entries + " entries and " + bytes + " bytes";
  }
}
