package dev.lamina.builder.expand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ShellWordsTest {
  private static final Map<String, String> ENV =
      Map.of(
          "PWD", "/home",
          "SHELL", "bash",
          "KOREAN", "한국어",
          "NULL", "",
          "P", "/a/b/c.tar.gz",
          "SPACED", "  x  y ");

  private static final ShellWords LEX = ShellWords.withEscape('\\');

  static Stream<Arguments> envVarTable() throws IOException {
    List<Arguments> rows = new ArrayList<>();
    try (InputStream in = ShellWordsTest.class.getResourceAsStream("/expand/envvars.txt")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int lineNumber = 0;
      for (String line : text.split("\n")) {
        lineNumber++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int bar = line.lastIndexOf('|');
        rows.add(
            Arguments.of(
                lineNumber, line.substring(0, bar).strip(), line.substring(bar + 1).strip()));
      }
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "line {0}: {1}")
  @MethodSource("envVarTable")
  void word_followsTheTable(int line, String input, String expected) throws Exception {
    if (expected.equals("error")) {
      assertThrows(ExpansionException.class, () -> LEX.word(input, ENV), input);
    } else {
      assertEquals(expected, LEX.word(input, ENV), input);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "hello world        | hello,world",
        "hello   \"world\"  | hello,world",
        "\"hello world\"    | hello world",
        "hello\\ world      | hello world",
        "$SPACED            | x,y",
        "\"$SPACED\"        | '  x  y '",
        "a$SPACED           | a,x,y",
        "a\"\"b c           | ab,c",
        "\"\" x             | x",
        "${XXX:-a b} c      | a,b,c",
      })
  void words_splitOnUnquotedWhitespace(String input, String expected) throws Exception {
    List<String> want = new ArrayList<>();
    for (String w : expected.split(",")) {
      want.add(w.startsWith("'") ? w.substring(1, w.length() - 1) : w);
    }
    assertEquals(want, LEX.words(input.strip(), ENV));
  }

  @Test
  void words_singleQuotesProtectDollar() throws Exception {
    assertEquals(List.of("$SPACED", "x"), LEX.words("'$SPACED' x", ENV));
  }

  @Test
  void backtickEscape_replacesBackslash() throws Exception {
    ShellWords lex = ShellWords.withEscape('`');
    assertEquals("c:\\dir\\$PWD", lex.word("c:\\dir\\`$PWD", ENV));
    assertEquals("c:\\/home", lex.word("c:\\$PWD", ENV));
    assertEquals("a\"b", lex.word("\"a`\"b\"", ENV));
    assertEquals("a b", lex.word("a` b", ENV));
  }

  private static String nested(int depth) {
    return "${A:-".repeat(depth) + "x" + "}".repeat(depth);
  }

  @Test
  void nesting_upToTheBound_expands() throws Exception {
    assertEquals("x", LEX.word(nested(ShellWords.MAX_NESTING), ENV));
    assertEquals("x", LEX.word("\"" + nested(ShellWords.MAX_NESTING) + "\"", ENV));
  }

  @Test
  void nesting_beyondTheBound_isAnErrorNotAStackOverflow() {
    for (String text : List.of(nested(ShellWords.MAX_NESTING + 1), nested(2000),
        "\"${A:-".repeat(2000))) {
      ExpansionException e = assertThrows(ExpansionException.class, () -> LEX.word(text, ENV));
      assertTrue(e.getMessage().contains("nested more than " + ShellWords.MAX_NESTING + " deep"),
          e.getMessage());
    }
  }

  @Test
  void process_reportsMatchedAndUnmatchedNames() throws Exception {
    ShellWords.Result r = LEX.process("$PWD ${NOPE} ${ALT:-x} ${NULL} ${GONE#a}", ENV);
    assertEquals(Set.of("PWD", "NULL"), r.matched());
    assertEquals(Set.of("NOPE", "GONE"), r.unmatched());
  }

  @Test
  void skipUnset_leavesReferencesAsWritten() throws Exception {
    ShellWords lex = LEX.withSkipUnset(true);
    assertEquals("$A/${B}/${C:-d}//home", lex.word("$A/${B}/${C:-d}/$PWD", ENV));
  }

  @Test
  void rawQuotes_keepQuoteCharacters() throws Exception {
    assertEquals(
        List.of("<<\"EOF\"", "'x y'"), LEX.withRawQuotes(true).words("<<\"EOF\" 'x y'", ENV));
  }

  @Test
  void literalQuotes_expandInsideQuotes() throws Exception {
    assertEquals(
        "echo '/home' \"bash\"", LEX.withLiteralQuotes(true).word("echo '$PWD' \"$SHELL\"", ENV));
  }

  @Test
  void errors_nameTheWordAndTheProblem() {
    ExpansionException e =
        assertThrows(ExpansionException.class, () -> LEX.word("a${B:?is required}", ENV));
    assertEquals("failed to process \"a${B:?is required}\": B: is required", e.getMessage());
    e = assertThrows(ExpansionException.class, () -> LEX.word("${NULL:?}", ENV));
    assertTrue(e.getMessage().endsWith("NULL: is not allowed to be empty"), e.getMessage());
    e = assertThrows(ExpansionException.class, () -> LEX.word("${X?}", ENV));
    assertTrue(e.getMessage().endsWith("X: is not allowed to be unset"), e.getMessage());
    e = assertThrows(ExpansionException.class, () -> LEX.word("${X:=a}", ENV));
    assertTrue(
        e.getMessage().endsWith("unsupported modifier (:=) in substitution"), e.getMessage());
    e = assertThrows(ExpansionException.class, () -> LEX.word("'abc", ENV));
    assertTrue(e.getMessage().endsWith("looking for matching single-quote"), e.getMessage());
  }

  @Test
  void withEscape_rejectsOtherCharacters() {
    assertThrows(IllegalArgumentException.class, () -> ShellWords.withEscape('/'));
  }
}
