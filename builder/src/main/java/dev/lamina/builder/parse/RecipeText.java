package dev.lamina.builder.parse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A recipe's bytes as text. BuildKit reads a Dockerfile as bytes and never checks that it is
 * UTF-8: a byte that is not UTF-8 reaches the instruction as it is (a random file fails on its
 * first line as an unknown instruction, never as an encoding error). Here the bytes are read as
 * UTF-8, and each byte of an invalid sequence becomes one of the lone surrogates U+DC80..U+DCFF
 * (the "surrogateescape" scheme of Python's PEP 383, which the file-name code shares), so no byte
 * is lost or merged with another and valid text reads as itself. Where such text leaves Lamina as
 * JSON (an image config, a runtime spec) the escapes reach Go readers as U+FFFD, as BuildKit's own
 * JSON encoding of the same bytes does.
 */
public final class RecipeText {
  private static final char ESCAPE_BASE = 0xDC00;

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
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    // UTF-8 gives at most one char per byte, and so does an escape: the output never overflows.
    CharBuffer out = CharBuffer.allocate(bytes.length);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isUnderflow()) {
        break;
      }
      for (int i = 0; i < r.length(); i++) {
        out.put((char) (ESCAPE_BASE | (in.get() & 0xff)));
      }
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }
}
