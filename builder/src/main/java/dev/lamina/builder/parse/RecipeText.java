package dev.lamina.builder.parse;

import dev.lamina.layerfs.posix.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A recipe's bytes as text. BuildKit reads a Dockerfile as bytes and never checks that it is
 * UTF-8: a byte that is not UTF-8 reaches the instruction as it is (a random file fails on its
 * first line as an unknown instruction, never as an encoding error). Here the bytes are decoded
 * as file names are ({@link FileNames#decode}: UTF-8, each byte of an invalid sequence kept as a
 * lone surrogate U+DC80..U+DCFF), so no byte is lost or merged with another, valid text reads as
 * itself, and a name in a recipe is the name of the file it means. Where such text leaves Lamina
 * as JSON (an image config, a runtime spec) the escapes reach Go readers as U+FFFD, as BuildKit's
 * own JSON encoding of the same bytes does.
 */
public final class RecipeText {
  private RecipeText() {}

  /**
   * Reads the recipe {@code file}.
   *
   * @throws IOException if it cannot be read
   */
  public static String read(Path file) throws IOException {
    return decode(Files.readAllBytes(file));
  }

  /** The text of recipe {@code bytes}, lossless (see the class comment). */
  public static String decode(byte[] bytes) {
    return FileNames.decode(bytes);
  }
}
