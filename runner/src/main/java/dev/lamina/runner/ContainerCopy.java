package dev.lamina.runner;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.runner.spec.RootFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lamina cp}: files between a container's root filesystem and the host, with docker's
 * rules. The container's side is untrusted: every path in it is resolved as if chrooted into its
 * root ({@link RootFiles#resolve}), trees are walked without following links, and the container
 * does not run meanwhile ({@link Containers#withRootfs}).
 *
 * <p>Docker's rules, for a source file: to an existing directory, into it under its name;
 * otherwise to the destination path (whose parent must exist). For a source directory: to an
 * existing directory, into it under its name, or its contents when the source ends with {@code
 * /.}; to a path that does not exist, created with the contents; never onto a file. A symlink is
 * copied as a link unless {@code followLink} ({@code -L}). What is copied into a container is owned
 * by root unless {@code archive} ({@code -a}), which keeps the host's owners; what is copied out
 * keeps its modes, times and, for root, owners (an unprivileged user owns what it copies out, as
 * docker's caller does). Special files (devices,
 * FIFOs, sockets) are left out either way.
 */
public final class ContainerCopy {
  private ContainerCopy() {}

  /**
   * Copies {@code src} of container {@code ref} to {@code dest} on the host.
   *
   * @throws IOException when the source does not exist, or the rules refuse the destination
   */
  public static void out(Containers containers, String ref, String src, Path dest,
      boolean followLink) throws IOException {
    containers.withRootfs(ref, root -> {
      Path from = inContainer(root, src, followLink);
      if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException("no such file in the container: " + src);
      }
      // For a user, docker's rule (the caller owns what it copies out): the container's owners
      // would be ids of the user's ranges on the host, files the user could not even remove.
      copyTree(from, target(from, src, dest), new Owner(Rootless.active(), false));
      return null;
    });
  }

  /**
   * Copies {@code src} on the host to {@code dest} in container {@code ref}.
   *
   * @throws IOException when the source does not exist, or the rules refuse the destination
   */
  public static void in(Containers containers, String ref, Path src, String dest,
      boolean archive) throws IOException {
    if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException("no such file: " + src);
    }
    containers.withRootfs(ref, root -> {
      Path to = RootFiles.resolve(root, dest);
      String name = src.getFileName() == null ? "" : FileNames.name(src.getFileName());
      boolean contents = src.toString().endsWith("/.");
      String inside = dest;
      if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
        if (!contents && !name.isEmpty()) {
          inside = dest + "/" + name;
        }
      } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)
          && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(
            "cannot copy a directory onto a file in the container: " + dest);
      } else if (dest.endsWith("/")) {
        throw new NoSuchFileException("destination directory must exist: " + dest);
      } else if (!Files.isDirectory(to.getParent(), LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException("no such directory in the container: " + parentOf(dest));
      }
      copyIntoRoot(root, src, inside, new Owner(true, archive));
      return null;
    });
  }

  /** The source inside the root: its parent resolved in the root, itself too with -L. */
  private static Path inContainer(Path root, String src, boolean followLink) throws IOException {
    String path = src.endsWith("/.") ? src.substring(0, src.length() - 2) : src;
    if (followLink || path.endsWith("/") || path.equals("/") || path.isEmpty()) {
      return RootFiles.resolve(root, path);
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    Path parent = RootFiles.resolve(root, parentOf(path));
    return name.equals("..") || name.equals(".") ? RootFiles.resolve(root, path)
        : FileNames.resolve(parent, name);
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** Where on the host {@code from} goes, by docker's rules. */
  private static Path target(Path from, String src, Path dest) throws IOException {
    boolean dir = Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS);
    if (Files.isDirectory(dest)) {
      return src.endsWith("/.") && dir ? dest : dest.resolve(from.getFileName());
    }
    if (dir && Files.exists(dest)) {
      throw new FileAlreadyExistsException("cannot copy a directory onto a file: " + dest);
    }
    if (dest.toString().endsWith("/")) {
      throw new NoSuchFileException("destination directory must exist: " + dest);
    }
    Path parent = dest.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new NoSuchFileException("no such directory: " + parent);
    }
    return dest;
  }

  /** Who owns what is written: the caller, root, or (archive) the source's owner. */
  private record Owner(boolean set, boolean keep) {
    void apply(Path written, Path source) throws IOException {
      if (!set) {
        return;
      }
      int uid = 0;
      int gid = 0;
      if (keep) {
        uid = (Integer) Files.getAttribute(source, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        gid = (Integer) Files.getAttribute(source, "unix:gid", LinkOption.NOFOLLOW_LINKS);
      }
      Posix.lchown(written, uid, gid);
    }
  }

  /**
   * Copies the tree at {@code from} to {@code to} on the host, links as links; directories get
   * their modes and times once filled. Special files are left out.
   */
  private static void copyTree(Path from, Path to, Owner owner) throws IOException {
    List<Path[]> dirs = new ArrayList<>();
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Path t = to.resolve(from.relativize(dir));
        if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(t);
        }
        dirs.add(new Path[] {dir, t});
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
          Path t = from.equals(file) ? to : to.resolve(from.relativize(file));
          Files.copy(file, t, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES,
              StandardCopyOption.REPLACE_EXISTING);
          owner.apply(t, file);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Path[] d = dirs.get(i);
      Files.setPosixFilePermissions(d[1], Files.getPosixFilePermissions(d[0]));
      Files.setLastModifiedTime(d[1], Files.getLastModifiedTime(d[0]));
    }
  }

  /**
   * Copies the host tree {@code src} to {@code dest} inside {@code root}. Each entry's place is
   * resolved in the root on its own, so a link the container has on the way (a directory swapped
   * for {@code -> /}) leads inside the root, never out; an existing link in a file's place is
   * replaced, not written through.
   */
  private static void copyIntoRoot(Path root, Path src, String dest, Owner owner)
      throws IOException {
    List<Object[]> dirs = new ArrayList<>();
    Path top = src.toString().endsWith("/.") ? src.getParent() : src;
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      private String inside(Path p) {
        String rel = FileNames.name(top.relativize(p));
        return rel.isEmpty() ? dest : dest + "/" + rel;
      }

      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Path t = place(root, inside(dir));
        if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(t);
          Files.createDirectory(t);
        }
        owner.apply(t, dir);
        dirs.add(new Object[] {dir, t});
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
          Path t = place(root, inside(file));
          if (Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException("a directory is in the way in the container: "
                + inside(file));
          }
          Files.copy(file, t, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES,
              StandardCopyOption.REPLACE_EXISTING);
          owner.apply(t, file);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Path dir = (Path) dirs.get(i)[0];
      Path t = (Path) dirs.get(i)[1];
      Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(dir));
      Files.setLastModifiedTime(t, FileTime.from(Files.getLastModifiedTime(dir).toInstant()));
    }
  }

  /**
   * The place of {@code path} in the root: its parent resolved in the root, and its own name, so
   * that a link already there is replaced rather than followed.
   */
  private static Path place(Path root, String path) throws IOException {
    String clean = path.replaceAll("/+$", "");
    String name = clean.substring(clean.lastIndexOf('/') + 1);
    Path parent = RootFiles.resolve(root, parentOf(clean));
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      return RootFiles.resolve(root, clean);
    }
    return FileNames.resolve(parent, name);
  }
}
