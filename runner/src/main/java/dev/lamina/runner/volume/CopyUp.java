package dev.lamina.runner.volume;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's copy-up: the first time an empty volume is mounted over a directory the image has
 * content in, that content is copied into the volume, with owners, modes and symlinks kept.
 */
public final class CopyUp {
  private CopyUp() {}

  /**
   * Copies the tree at {@code source} into {@code volumeData} if the volume is empty and {@code
   * source} is a directory. Symlinks are copied as links and never followed; device nodes,
   * sockets and FIFOs are skipped.
   *
   * @return whether anything was copied
   * @throws IOException if copying fails
   */
  public static boolean copyIfEmpty(Path source, Path volumeData) throws IOException {
    if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS) || !isEmpty(volumeData)) {
      return false;
    }
    List<Path[]> dirs = new ArrayList<>();
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path to = volumeData.resolve(source.relativize(dir));
            Files.createDirectories(to);
            dirs.add(new Path[] {dir, to});
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path to = volumeData.resolve(source.relativize(file));
            if (attrs.isSymbolicLink()) {
              Files.createSymbolicLink(to, Files.readSymbolicLink(file));
            } else if (attrs.isRegularFile()) {
              Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            } else {
              return FileVisitResult.CONTINUE;
            }
            copyOwnerAndMode(file, to);
            return FileVisitResult.CONTINUE;
          }
        });
    // Directories last, so their modes (possibly read-only) do not block the copy.
    for (Path[] d : dirs) {
      copyOwnerAndMode(d[0], d[1]);
    }
    return true;
  }

  private static void copyOwnerAndMode(Path from, Path to) throws IOException {
    FileStat st = Posix.lstat(from);
    Posix.lchown(to, st.uid(), st.gid());
    if (!st.isSymlink()) {
      Posix.chmod(to, st.permissions());
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    }
  }
}
