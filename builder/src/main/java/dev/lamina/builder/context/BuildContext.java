package dev.lamina.builder.context;

import dev.lamina.builder.ignore.IgnoreRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The build context: the directory COPY and ADD read from, with the ignore rules that hide files
 * from them.
 *
 * @param dir the context directory, absolute and real (symlinks resolved once, up front)
 * @param ignore the rules of the context's ignore file; none when it has none
 */
public record BuildContext(Path dir, IgnoreRules ignore) {
  public BuildContext {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(ignore, "ignore");
  }

  /**
   * Opens the context at {@code dir}, loading the ignore file that applies to {@code recipeFile}
   * (see {@link IgnoreRules#locate}).
   *
   * @param recipeFile the recipe, or null when it came from standard input
   * @throws NoSuchFileException if the directory does not exist
   * @throws NotDirectoryException if it is not a directory
   * @throws IOException if the ignore file cannot be read or is invalid
   */
  public static BuildContext open(Path dir, Path recipeFile) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.exists(abs)) {
      throw new NoSuchFileException(abs.toString(), null, "build context not found");
    }
    if (!Files.isDirectory(abs)) {
      throw new NotDirectoryException(abs + " (the build context must be a directory)");
    }
    Path real = abs.toRealPath();
    return new BuildContext(real, IgnoreRules.load(real, recipeFile));
  }

  /**
   * The recipe a build uses when none is named: {@code Containerfile}, else {@code Dockerfile},
   * in the context directory.
   *
   * @throws NoSuchFileException if neither exists
   */
  public static Path defaultRecipe(Path contextDir) throws NoSuchFileException {
    for (String name : new String[] {"Containerfile", "Dockerfile"}) {
      Path p = contextDir.resolve(name);
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new NoSuchFileException(
        contextDir.toString(), null, "no Containerfile or Dockerfile in the build context");
  }
}
