package dev.lamina.builder.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParserTest {

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("", 1, ParseErrors.noInstructions()),
        Arguments.of("# only a comment\n\n", 2, ParseErrors.noInstructions()),
        Arguments.of("# escape=x\nFROM a\n", 1, ParseErrors.invalidEscape("x")),
        Arguments.of(
            "# escape=`\n# escape=\\\nFROM a\n", 2, ParseErrors.duplicateDirective("escape")),
        Arguments.of(
            "# syntax=a\n#SYNTAX=b\nFROM a\n", 2, ParseErrors.duplicateDirective("syntax")),
        Arguments.of("FROM a\nRUN <<EOF\nbody\n", 2, ParseErrors.unterminatedHeredoc()),
        Arguments.of("FROM a\nCOPY <<A <<B /x\na\nA\n", 2, ParseErrors.unterminatedHeredoc()),
        Arguments.of("FROM a\nRUN [\"echo\", 1]\n", 2, ParseErrors.notStringArray()),
        Arguments.of("FROM a\nCMD [\"echo\", null]\n", 2, ParseErrors.notStringArray()),
        Arguments.of("FROM a\nENV X\n", 2, ParseErrors.twoArguments("ENV")),
        Arguments.of("FROM a\nLABEL X\n", 2, ParseErrors.twoArguments("LABEL")),
        Arguments.of("FROM a\nENV A=1 B\n", 2, ParseErrors.missingEquals("B")),
        Arguments.of(
            "FROM a\nRUN x \\\n  y\nENV \\\n  A=1 \\\n  B\n", 4, ParseErrors.missingEquals("B")));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void parse_malformed_failsWithFileAndLine(String text, int line, String reason) {
    ParseException e =
        assertThrows(ParseException.class, () -> Parser.parse(text, "Containerfile"));
    assertEquals("Containerfile:" + line + ": " + reason, e.getMessage());
    assertEquals(line, e.line());
    assertEquals(reason, e.reason());
  }

  @Test
  void parseException_showsTheOffendingLines() {
    ParseException e =
        assertThrows(
            ParseException.class, () -> Parser.parse("FROM a\nENV A=1 \\\n  B\n", "Dockerfile"));
    assertEquals(List.of("   2 | ENV A=1 \\", "   3 |   B"), e.excerpt());
    assertEquals(new SourceRange(2, 3), e.range());
    assertTrue(e.describe().startsWith("Dockerfile:2: Syntax error"));
    assertTrue(e.describe().endsWith("\n   3 |   B"));
  }

  @Test
  void parse_keywordsAreCaseInsensitive_andKeepTheirWriting() throws Exception {
    Node node = Parser.parse("fRoM scratch\n", "f").nodes().get(0);
    assertEquals("from", node.keyword());
    assertEquals("fRoM", node.keywordAsWritten());
  }

  @Test
  void parse_recordsComments_directlyAboveAnInstruction() throws Exception {
    ParseResult r = Parser.parse("# syntax=x\n# first\n# second\nFROM a\n# stray\n\nRUN b\n", "f");
    assertEquals(List.of("first", "second"), r.nodes().get(0).comments());
    assertEquals(List.of(), r.nodes().get(1).comments());
  }

  @Test
  void parse_directivesAfterAnInstruction_areComments() throws Exception {
    ParseResult r = Parser.parse("FROM a\n# escape=`\nRUN a \\\n b\n", "f");
    assertEquals('\\', r.directives().escape());
    assertEquals("a  b", r.nodes().get(1).args().get(0));
  }

  @Test
  void parse_emptyContinuationLine_warnsOnce() throws Exception {
    ParseResult r = Parser.parse("FROM a\nRUN a \\\n\n   \n b\n", "f");
    assertEquals(1, r.warnings().size());
    assertEquals("NoEmptyContinuation", r.warnings().get(0).rule());
    assertEquals(new SourceRange(2, 5), r.warnings().get(0).range());
  }

  @Test
  void parse_heredocOnlyForRunCopyAdd() throws Exception {
    ParseResult r = Parser.parse("FROM a\nENV X=<<EOF\nRUN echo\n", "f");
    assertEquals(3, r.nodes().size());
    assertTrue(r.nodes().get(1).heredocs().isEmpty());
  }

  @Test
  void heredoc_effectiveContent_stripsLeadingTabsOnlyWhenChomped() {
    Heredoc chomped = new Heredoc("E", 0, true, true, "\t\ta\n\tb\n c\n");
    assertEquals("a\nb\n c\n", chomped.effectiveContent());
    Heredoc plain = new Heredoc("E", 0, true, false, "\ta\n");
    assertEquals("\ta\n", plain.effectiveContent());
  }

  static Stream<Arguments> openers() {
    return Stream.of(
        Arguments.of("<<EOF", "EOF", 0, true, false),
        Arguments.of("<<-EOF", "EOF", 0, true, true),
        Arguments.of("<<\"EOF\"", "EOF", 0, false, false),
        Arguments.of("<<'EOF'", "EOF", 0, false, false),
        Arguments.of("<<-'EOF'", "EOF", 0, false, true),
        Arguments.of("<<E\"O\"F", "EOF", 0, false, false),
        Arguments.of("3<<FD", "FD", 3, true, false),
        Arguments.of("<<EOF\\ X", "EOF X", 0, true, false));
  }

  @ParameterizedTest
  @MethodSource("openers")
  void heredocOpener_parsesNameDescriptorExpansionAndChomp(
      String word, String name, int fd, boolean expand, boolean chomp) {
    Heredoc h = Heredocs.parseOpener(word);
    assertEquals(new Heredoc(name, fd, expand, chomp, ""), h);
  }

  @Test
  void heredocOpener_rejectsNonOpeners() {
    assertNull(Heredocs.parseOpener("<<"));
    assertNull(Heredocs.parseOpener("<<<EOF"));
    assertNull(Heredocs.parseOpener("x<<EOF"));
    assertNull(Heredocs.parseOpener("<<A B"));
  }

  @Test
  void splitCommand_separatesKeywordFlagsAndRest() {
    Words.SplitLine s = Words.splitCommand("  COPY --from=a \"--chown=x y\"  --link  src dst ");
    assertEquals("COPY", s.keyword());
    assertEquals(List.of("--from=a"), s.flags());
    assertEquals("\"--chown=x y\"  --link  src dst", s.rest());
    Words.SplitLine quoted = Words.splitCommand("RUN --mount=\"type=bind,target=/a b\" ls");
    assertEquals(List.of("--mount=type=bind,target=/a b"), quoted.flags());
    assertEquals("ls", quoted.rest());
  }

  @Test
  void parseWords_keepsQuotesAndEscapes() {
    assertEquals(
        List.of("a=\"x y\"", "b='1 2'", "c=d\\ e", "\"\""),
        Words.parseWords("a=\"x y\"  b='1 2' c=d\\ e \"\"", '\\'));
    assertEquals(List.of("a=\"x`\"y\""), Words.parseWords("a=\"x`\"y\"", '`'));
    assertEquals(List.of("end"), Words.parseWords("end\\", '\\'));
  }

  @Test
  void parse_file_usesItsFileName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("Containerfile");
    Files.writeString(file, "FROM a\nBAD [\n");
    ParseResult r = Parser.parse(file);
    assertEquals("Containerfile", r.name());
    assertFalse(r.nodes().isEmpty());
  }

  @Test
  void execForm_isAWellFormedArrayOfStrings_elseShellForm_orAnError() {
    assertEquals(List.of("a", "b c", "\u00fc"), LineParsers.json(" [\"a\", \"b c\", \"\\u00fc\"]"));
    assertEquals(List.of(), LineParsers.json("[]"));
    assertNull(LineParsers.json("[\"a\", 1"), "malformed: the shell form");
    assertNull(LineParsers.json("[\"a\"] x"), "trailing words: the shell form");
    assertNull(LineParsers.json("['a']"), "single quotes are no JSON");
    assertNull(LineParsers.json("echo [\"a\"]"));
    assertThrows(IllegalArgumentException.class, () -> LineParsers.json("[\"a\", 1]"));
    assertThrows(IllegalArgumentException.class, () -> LineParsers.json("[\"a\", [\"b\"]]"));
    assertThrows(IllegalArgumentException.class, () -> LineParsers.json("[null]"));
  }
}
