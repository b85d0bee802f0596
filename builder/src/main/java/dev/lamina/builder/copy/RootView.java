package dev.lamina.builder.copy;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.runner.spec.RootFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A read-only view of the root filesystem a COPY or ADD writes into: where its destination's
 * symlinks lead (always inside the root, never out of it) and what already exists there, so the
 * layer keeps existing parent directories as they are.
 */
public interface RootView {

  /**
   * The absolute in-root path {@code path} names once every symlink on the way is resolved inside
   * the root ({@code /x} is {@code <root>/x}, {@code ..} stops at the root); components that do
   * not exist are kept.
   *
   * @throws IOException on a symlink loop
   */
  String resolve(String path) throws IOException;

  /**
   * What is at the in-root path {@code path}, not following a final symlink.
   *
   * @throws IOException if it cannot be stat'ed
   */
  Optional<FileStat> lstat(String path) throws IOException;

  /** The host path of {@code path} inside the root, or null for an empty root. */
  Path host(String path);

  /** The empty root of {@code FROM scratch} (and of {@code COPY --link}). */
  static RootView empty() {
    return new RootView() {
      @Override
      public String resolve(String path) {
        return Paths.clean(path);
      }

      @Override
      public Optional<FileStat> lstat(String path) {
        return Optional.empty();
      }

      @Override
      public Path host(String path) {
        return null;
      }
    };
  }

  /** The root filesystem mounted or unpacked at {@code root}. */
  static RootView of(Path root) {
    return new RootView() {
      @Override
      public String resolve(String path) throws IOException {
        Path resolved = RootFiles.resolve(root, path);
        String rel = FileNames.name(root.relativize(resolved));
        return rel.isEmpty() ? "/" : "/" + rel;
      }

      @Override
      public Optional<FileStat> lstat(String path) throws IOException {
        try {
          return Optional.of(Posix.lstat(host(path)));
        } catch (NoSuchFileException e) {
          return Optional.empty();
        } catch (IOException e) {
          if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
            return Optional.empty();
          }
          throw e;
        }
      }

      @Override
      public Path host(String path) {
        String rel = Paths.clean(path).substring(1);
        return rel.isEmpty() ? root : FileNames.resolve(root, rel);
      }
    };
  }
}
