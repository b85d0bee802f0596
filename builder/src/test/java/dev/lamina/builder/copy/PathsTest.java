package dev.lamina.builder.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cleaning an in-root path: lexical, absolute, and a clean path given back as it is. */
class PathsTest {
  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/a/b, /a/b",
    "/a/b/, /a/b",
    "a/b, /a/b",
    "//a//b, /a/b",
    "/a/./b, /a/b",
    "/a/., /a",
    "/a/../b, /b",
    "/a/b/.., /a",
    "/.., /",
    "/../../x, /x",
    "/a/.b, /a/.b",
    "/a/..b/c., /a/..b/c.",
    "/a/b..., /a/b...",
    "., /",
    "'', /",
  })
  void clean_isLexical_andAbsolute(String path, String clean) {
    assertEquals(clean, Paths.clean(path));
  }
}
