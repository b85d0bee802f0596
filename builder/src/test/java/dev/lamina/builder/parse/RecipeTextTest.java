package dev.lamina.builder.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.recipe.Recipes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipes are bytes, as BuildKit reads them: nothing that is not UTF-8 stops or merges. */
class RecipeTextTest {
  @TempDir Path tmp;

  private static byte[] bytes(String ascii, int... raw) {
    byte[] head = ascii.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[head.length + raw.length];
    System.arraycopy(head, 0, out, 0, head.length);
    for (int i = 0; i < raw.length; i++) {
      out[head.length + i] = (byte) raw[i];
    }
    return out;
  }

  @Test
  void decode_keepsEveryByte_andValidTextReadsAsItself() {
    String ff = RecipeText.decode(bytes("LABEL a=", 0xff));
    String fe = RecipeText.decode(bytes("LABEL a=", 0xfe));
    assertNotEquals(ff, fe, "two invalid bytes stay two texts");
    assertEquals("LABEL a=\uDCFF", ff);
    assertEquals("caf\u00e9 \u65e5", RecipeText.decode("caf\u00e9 \u65e5".getBytes(StandardCharsets.UTF_8)));
    // a truncated sequence: each of its bytes is kept
    assertEquals("x\uDCC3", RecipeText.decode(bytes("x", 0xc3)));
  }

  @Test
  void parse_aRecipeWithInvalidUtf8_parsesItsInstructions() throws Exception {
    Path file = tmp.resolve("Dockerfile");
    Files.write(file, bytes("FROM busybox\nLABEL a=", 0xe9, 't', 0xe9, '\n'));
    ParseResult parsed = Parser.parse(file);
    assertEquals(2, parsed.nodes().size());
  }

  @Test
  void parse_randomBytes_isALocatedParseError() throws IOException {
    byte[] noise = new byte[3000];
    new Random(42).nextBytes(noise);
    noise[0] = 'x'; // never a parser directive or a comment
    Path file = tmp.resolve("Dockerfile");
    Files.write(file, noise);
    ParseException e = assertThrows(ParseException.class, () -> Recipes.parse(file));
    assertTrue(e.getMessage().startsWith("Dockerfile:"), e.getMessage());
  }
}
