package dev.lamina.builder.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IgnoreRulesTest {

  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "*.md            | README.md          | true",
        "*.md            | docs/a.md          | false",
        "**/*.md         | docs/a.md          | true",
        "**/*.md         | a.md               | true",
        "**/*.md         | docs/deep/x/a.md   | true",
        "docs            | docs/a/b.txt       | true",
        "docs            | docsx              | false",
        "docs/           | docs/a             | true",
        "/docs           | docs/a             | true",
        "./docs          | docs               | true",
        "docs/*.txt      | docs/a.txt         | true",
        "docs/*.txt      | docs/sub/a.txt     | false",
        "**              | anything/at/all    | true",
        "a/**/b          | a/b                | true",
        "a/**/b          | a/x/y/b            | true",
        "a/**/b          | a/x/b/c            | true",
        "a/**/b          | ab                 | false",
        "a/**            | a/x                | true",
        "?at             | cat                | true",
        "?at             | at                 | false",
        "?at             | c/at               | false",
        "[a-c]at         | bat                | true",
        "[a-c]at         | dat                | false",
        "[!a]x           | bx                 | false",
        "\\#file         | #file              | true",
        "foo/../bar      | bar/x              | true",
        "file.txt        | filextxt           | false",
        "a+b(c)          | a+b(c)             | true",
        "*               | .hidden            | true",
        "x               | ./x                | true",
        "x               | /x                 | true",
        "**.go           | a/b.go             | true",
        "**foo           | a/xfoo             | true",
        "**/foo          | foo                | true",
        "**/foo          | xfoo               | false",
        "foo**           | foobar/x           | true",
        "foo/**          | foo                | false",
      })
  void matches_followsPatternmatcher(String pattern, String path, boolean excluded) {
    assertEquals(excluded, IgnoreRules.parse(pattern.strip()).matches(path.strip()));
  }

  @Test
  void lastMatchWins_andExceptionsReinclude() {
    IgnoreRules rules = IgnoreRules.parse("*.md\n!README.md\n");
    assertFalse(rules.matches("README.md"));
    assertTrue(rules.matches("CHANGES.md"));
    IgnoreRules reversed = IgnoreRules.parse("!README.md\n*.md\n");
    assertTrue(reversed.matches("README.md"));
    IgnoreRules nested = IgnoreRules.parse("node_modules\n!node_modules/keep\n");
    assertTrue(nested.matches("node_modules/other/x.js"));
    assertFalse(nested.matches("node_modules/keep/x.js"));
    assertTrue(nested.matches("node_modules"));
  }

  /** fsutil walks down from the root; patternmatcher's MatchesUsingParentResults at each level. */
  @Test
  void matches_decidesLevelByLevel_asFsutilsWalk() {
    IgnoreRules excludeThenParent = IgnoreRules.parse("a/b\n!a\n");
    assertTrue(excludeThenParent.matches("a/b"));
    assertTrue(excludeThenParent.matches("a/b/c"), "!a was not tried where a/b decided");
    assertFalse(excludeThenParent.matches("a/x"));
    IgnoreRules all = IgnoreRules.parse("**\n!folder1/file1\n");
    assertTrue(all.matches("folder1"));
    assertFalse(all.matches("folder1/file1"));
    assertTrue(all.matches("folder1/file2"));
  }

  @Test
  void parse_skipsCommentsAndBlankLines_andCleansPatterns() {
    IgnoreRules rules =
        IgnoreRules.parse("\uFEFF# comment\n\n  \n #not-a-comment\n  ./a//b/  \n! /c\n/\n");
    assertEquals(List.of("#not-a-comment", "a/b", "!c", "/"), rules.patterns());
    assertTrue(rules.matches("#not-a-comment"));
  }

  @Test
  void parse_rejectsLoneExclamationMark() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IgnoreRules.parse("a\n!\n"));
    assertEquals("line 2: illegal exclusion pattern: \"!\"", e.getMessage());
  }

  @Test
  void canSkipDirectory_onlyWithoutPossibleReinclusion() {
    assertTrue(IgnoreRules.parse("node_modules\n").canSkipDirectory("node_modules"));
    assertFalse(IgnoreRules.parse("node_modules\n").canSkipDirectory("src"));
    IgnoreRules keep = IgnoreRules.parse("node_modules\n!node_modules/keep\n");
    assertFalse(keep.canSkipDirectory("node_modules"));
    assertTrue(keep.canSkipDirectory("node_modules/other"));
    IgnoreRules src = IgnoreRules.parse("*\n!src/**\n");
    assertTrue(src.canSkipDirectory("docs"));
    assertFalse(src.canSkipDirectory("src"));
    assertFalse(IgnoreRules.parse("*\n!**/keep\n").canSkipDirectory("docs"));
    assertTrue(IgnoreRules.parse("*\n!*.md\n").canSkipDirectory("docs"));
    assertFalse(IgnoreRules.parse("*\n!d*/x\n").canSkipDirectory("docs"));
  }

  @Test
  void none_ignoresNothing() {
    assertFalse(IgnoreRules.none().matches("a"));
    assertFalse(IgnoreRules.none().canSkipDirectory("a"));
  }

  @Test
  void load_aFileThatIsNotUtf8_isReadAsBytes(@TempDir Path dir) throws IOException {
    Path context = Files.createDirectories(dir.resolve("ctx"));
    Files.write(context.resolve(".dockerignore"),
        new byte[] {'l', 'a', 't', (byte) 0xe9, '\n', 'p', 'l', 'a', 'i', 'n', '\n'});
    IgnoreRules rules = IgnoreRules.load(context, null);
    assertTrue(rules.matches("plain"));
    assertTrue(rules.matches("lat\uDCE9"), "the byte is kept, as the file names keep theirs");
    assertFalse(rules.matches("lat\uFFFD"));
  }

  @Test
  void load_prefersRecipeSpecificThenContainerignoreThenDockerignore(@TempDir Path dir)
      throws IOException {
    Path context = Files.createDirectories(dir.resolve("ctx"));
    Path recipes = Files.createDirectories(dir.resolve("recipes"));
    Path recipe = Files.writeString(recipes.resolve("app.Dockerfile"), "FROM scratch\n");
    assertEquals(Optional.empty(), IgnoreRules.locate(context, recipe));
    assertFalse(IgnoreRules.load(context, recipe).matches("x"));

    Files.writeString(context.resolve(".dockerignore"), "docker\n");
    assertTrue(IgnoreRules.load(context, recipe).matches("docker"));

    Files.writeString(context.resolve(".containerignore"), "container\n");
    IgnoreRules container = IgnoreRules.load(context, recipe);
    assertTrue(container.matches("container"));
    assertFalse(container.matches("docker"));
    assertEquals(Optional.of(context.resolve(".containerignore")), container.source());

    Files.writeString(recipes.resolve("app.Dockerfile.dockerignore"), "specific\n");
    IgnoreRules specific = IgnoreRules.load(context, recipe);
    assertTrue(specific.matches("specific"));
    assertFalse(specific.matches("container"));

    assertTrue(IgnoreRules.load(context, null).matches("container"));
  }

  @Test
  void load_reportsBadFileWithItsPath(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(".dockerignore"), "!\n");
    IOException e = assertThrows(IOException.class, () -> IgnoreRules.load(dir, null));
    assertTrue(
        e.getMessage().startsWith(dir.resolve(".dockerignore") + ": line 1"), e.getMessage());
  }

  @Test
  void clean_isLexical() {
    assertEquals("a/b", IgnoreRules.clean("./a//b/"));
    assertEquals("b", IgnoreRules.clean("a/../b"));
    assertEquals("../b", IgnoreRules.clean("../b"));
    assertEquals("/b", IgnoreRules.clean("/../b"));
    assertEquals(".", IgnoreRules.clean("a/.."));
  }

  /**
   * The index of patterns by a component they need is sound: whenever a pattern matches a path,
   * the path has that component. Random patterns and paths over a small alphabet, so that
   * wildcards, classes, escapes, {@code **} and literal components meet often.
   */
  @Test
  void aPatternsRequiredComponent_isInEveryPathItMatches() {
    java.util.Random random = new java.util.Random(42);
    String[] patternParts = {"a", "b", "ab", "*", "**", "?", "a*", "*b", "[ab]", "\\a", ".", "a.b"};
    String[] pathParts = {"a", "b", "ab", "ba", "aa", "a.b", "\\a", "x"};
    int checked = 0;
    for (int n = 0; n < 3000; n++) {
      StringBuilder pattern = new StringBuilder();
      for (int k = 1 + random.nextInt(4); k > 0; k--) {
        pattern.append(patternParts[random.nextInt(patternParts.length)]);
        if (k > 1) {
          pattern.append(random.nextInt(4) == 0 ? "" : "/");
        }
      }
      String text = IgnoreRules.clean(pattern.toString());
      IgnorePattern p = IgnorePattern.compile(text, false);
      String required = p.requiredComponent();
      for (int m = 0; m < 40; m++) {
        StringBuilder path = new StringBuilder();
        for (int k = 1 + random.nextInt(4); k > 0; k--) {
          path.append(pathParts[random.nextInt(pathParts.length)]);
          if (k > 1) {
            path.append('/');
          }
        }
        if (required != null && p.matches(path.toString())) {
          checked++;
          assertTrue(List.of(path.toString().split("/")).contains(required),
              text + " matches " + path + " without its component " + required);
        }
      }
    }
    assertTrue(checked > 1000, "matches checked: " + checked);
  }

  /** Many patterns naming components, as a big ignore file has, decide as they would one by one. */
  @Test
  void manyPatterns_indexedByComponent_decideAsTheOrderedRulesDo() {
    IgnoreRules rules = IgnoreRules.parse(
        "**/nomatch-1/*.tmp\n**/nomatch-2/*.tmp\n**/*.log\ntree/pkg0/mod0\n"
            + "!tree/pkg0/mod0/keep.js\nbuild/**\n!build/out/a\n");
    assertTrue(rules.matches("tree/pkg0/mod0/x.js"));
    assertFalse(rules.matches("tree/pkg0/mod0/keep.js"));
    assertFalse(rules.matches("tree/pkg0/mod1/x.js"));
    assertTrue(rules.matches("tree/nomatch-2/a.tmp"));
    assertFalse(rules.matches("tree/nomatch-3/a.tmp"));
    assertTrue(rules.matches("deep/er/x.log"));
    assertTrue(rules.matches("build/out/b"));
    assertFalse(rules.matches("build/out/a"));
    assertFalse(rules.matches("src/Main.java"));
  }

  /** A path taken as clean is exactly what cleaning gives back; anything else is cleaned. */
  @Test
  void isClean_agreesWithClean() {
    for (String p : List.of("a", "a/b", "a.b/c", "..a/b..", ".x", "a/.x/..y")) {
      assertTrue(IgnoreRules.isClean(p), p);
      assertEquals(p, IgnoreRules.clean(p));
    }
    for (String p : List.of("", ".", "..", "/a", "a/", "a//b", "./a", "a/./b", "a/../b", "a/..",
        "../a", "a/.")) {
      assertFalse(IgnoreRules.isClean(p), p);
    }
  }

  /**
   * Random ignore files decide every path as patternmatcher's level-by-level walk does when each
   * pattern is tried in order at each level (no index, no skipping): the reference below.
   */
  @Test
  void randomIgnoreFiles_decideAsTheOrderedLevelByLevelRules() {
    java.util.Random random = new java.util.Random(7);
    String[] parts = {"a", "b", "ab", "*", "**", "?", "a*", "[ab]", "x"};
    String[] names = {"a", "b", "ab", "ba", "x", "xa"};
    for (int n = 0; n < 400; n++) {
      StringBuilder text = new StringBuilder();
      for (int k = 1 + random.nextInt(6); k > 0; k--) {
        if (random.nextInt(4) == 0) {
          text.append('!');
        }
        for (int c = 1 + random.nextInt(3); c > 0; c--) {
          text.append(parts[random.nextInt(parts.length)]).append(c > 1 ? "/" : "");
        }
        text.append('\n');
      }
      IgnoreRules rules = IgnoreRules.parse(text.toString());
      List<IgnorePattern> patterns = new java.util.ArrayList<>();
      for (String line : rules.patterns()) {
        boolean exception = line.startsWith("!");
        patterns.add(IgnorePattern.compile(exception ? line.substring(1) : line, exception));
      }
      for (int m = 0; m < 30; m++) {
        StringBuilder path = new StringBuilder();
        for (int c = 1 + random.nextInt(4); c > 0; c--) {
          path.append(names[random.nextInt(names.length)]).append(c > 1 ? "/" : "");
        }
        String p = path.toString();
        assertEquals(reference(patterns, p), rules.matches(p), text + " ~ " + p);
      }
    }
  }

  private static boolean reference(List<IgnorePattern> patterns, String file) {
    boolean[] parentMatched = null;
    boolean excluded = false;
    int end = -1;
    do {
      end = file.indexOf('/', end + 1);
      String at = end < 0 ? file : file.substring(0, end);
      boolean[] matched = new boolean[patterns.size()];
      excluded = false;
      for (int i = 0; i < patterns.size(); i++) {
        IgnorePattern p = patterns.get(i);
        boolean match = parentMatched != null && parentMatched[i];
        if (!match) {
          if (p.exception() != excluded) {
            continue;
          }
          match = p.matches(at);
        }
        matched[i] = match;
        if (match) {
          excluded = !p.exception();
        }
      }
      parentMatched = matched;
    } while (end >= 0);
    return excluded;
  }
}
