package dev.lamina.runner.spec;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Reads files of an untrusted root filesystem as if chrooted into it: every symlink on the way is
 * resolved inside the root ({@code /x} means {@code <root>/x}, {@code ..} stops at the root), and
 * only regular files of bounded size are read. An image whose {@code /etc/passwd} is a link to a
 * host file or a FIFO can then neither leak the host's file nor hang the reader (CVE-2024-9676).
 */
public final class RootFiles {
  /** Largest file read: /etc/passwd and /etc/group of real images are far smaller. */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  private static final int MAX_LINKS = 40;

  private RootFiles() {}

  /**
   * The host path {@code path} names inside {@code root}, with every symlink resolved inside the
   * root. Components that do not exist are kept as they are.
   *
   * @throws IOException on a symlink loop (more than 40 links) or an unreadable link
   */
  public static Path resolve(Path root, String path) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    push(todo, path);
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.pop();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        done.pollLast();
        continue;
      }
      Path candidate = FileNames.resolve(join(root, done), part);
      if (Files.isSymbolicLink(candidate)) {
        if (++links > MAX_LINKS) {
          throw new IOException("too many levels of symbolic links in " + path);
        }
        String target = Posix.readlink(candidate);
        if (target.startsWith("/")) {
          done.clear();
        }
        push(todo, target);
      } else {
        done.addLast(part);
      }
    }
    return join(root, done);
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      todo.push(parts[i]);
    }
  }

  private static Path join(Path root, Deque<String> parts) {
    Path p = root;
    for (String part : parts) {
      p = FileNames.resolve(p, part);
    }
    return p;
  }

  /**
   * The bytes of the regular file {@code path} inside {@code root}; empty when it does not exist.
   *
   * @throws IOException when it is not a regular file (a FIFO, device, directory), larger than
   *     {@link #MAX_BYTES}, or unreadable
   */
  public static Optional<byte[]> readRegularFile(Path root, String path) throws IOException {
    Path file = resolve(root, path);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (!attrs.isRegularFile()) {
      throw new IOException(path + " in the image is not a regular file");
    }
    // NOFOLLOW: should the file have become a link since the check, opening fails instead of
    // following it out of the root.
    try (InputStream in =
        Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new IOException(path + " in the image is larger than " + MAX_BYTES + " bytes");
      }
      return Optional.of(bytes);
    }
  }
}
