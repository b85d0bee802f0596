package dev.lamina.builder.context;

import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.runner.spec.RootFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which paths of the build context its ignore file hides, as fsutil's filter decides what the
 * context transfer sends: a path is sent unless the rules exclude it, and an excluded directory is
 * still sent, as itself, when something below it is sent (the parent of a re-included file). So
 * with {@code **} then {@code !folder1/file1}, {@code folder1} holds {@code file1} and nothing
 * else.
 *
 * <p>Tests for a path report {@code true} when it is hidden. Answers about directories are
 * remembered, so one build lists an excluded directory at most once; tests may come from several
 * threads.
 */
public final class ContextFilter implements Predicate<String> {
  private final Path root;
  private final IgnoreRules rules;
  private final Map<String, Boolean> keptDirectories = new ConcurrentHashMap<>();

  /** The filter of {@code context}. */
  public ContextFilter(BuildContext context) {
    this.root = context.dir();
    this.rules = context.ignore();
  }

  /** Whether the context has no ignore rules: no path of it is hidden. */
  public boolean hidesNothing() {
    return rules.isEmpty();
  }

  /**
   * Whether the context-relative path {@code rel} is hidden.
   *
   * @throws UncheckedIOException if an excluded directory cannot be listed
   */
  @Override
  public boolean test(String rel) {
    if (rel.isEmpty() || !rules.matches(rel)) {
      return false;
    }
    try {
      return !keptAsParent(rel);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether excluded {@code rel} is a directory with something sent below it. */
  private boolean keptAsParent(String rel) throws IOException {
    if (rules.canSkipDirectory(rel)) {
      return false; // no exception pattern can reach below it
    }
    Boolean known = keptDirectories.get(rel);
    if (known != null) {
      return known;
    }
    boolean kept = false;
    Path dir = host(rel);
    if (dir != null && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
        for (Path child : children) {
          String childRel = rel + "/" + FileNames.name(child.getFileName());
          if (!rules.matches(childRel) || keptAsParent(childRel)) {
            kept = true;
            break;
          }
        }
      } catch (NoSuchFileException | NotDirectoryException e) {
        kept = false; // gone meanwhile: nothing below it to send
      }
    }
    keptDirectories.put(rel, kept);
    return kept;
  }

  /** {@code rel} in the context, its parents' symlinks resolved inside it, itself not followed. */
  private Path host(String rel) throws IOException {
    int slash = rel.lastIndexOf('/');
    Path parent = slash < 0 ? root : RootFiles.resolve(root, rel.substring(0, slash));
    return parent == null ? null : FileNames.resolve(parent, rel.substring(slash + 1));
  }
}
