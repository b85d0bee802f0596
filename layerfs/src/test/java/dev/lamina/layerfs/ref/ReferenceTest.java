package dev.lamina.layerfs.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {
  @ParameterizedTest
  @CsvSource({
    "hello, localhost/hello:latest",
    "hello:1, localhost/hello:1",
    "library/busybox, localhost/library/busybox:latest",
    "docker.io/library/busybox, docker.io/library/busybox:latest",
    "localhost/x:y, localhost/x:y",
    "127.0.0.1:5000/a/b:c, 127.0.0.1:5000/a/b:c",
    "localhost:5000/a, localhost:5000/a:latest",
    "a@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,"
        + " localhost/a@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  })
  void parse_normalises(String in, String expected) {
    assertEquals(expected, Reference.parse(in).toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Hello",
        "a/../b",
        "a//b",
        "a:",
        "a:-x",
        "a@sha256:abc",
        "/a",
        "a/",
        "a b",
      })
  void parse_rejectsInvalid(String in) {
    assertThrows(IllegalArgumentException.class, () -> Reference.parse(in));
  }

  @org.junit.jupiter.api.Test
  void parse_rejectsTagLongerThan128() {
    assertThrows(IllegalArgumentException.class, () -> Reference.parse("a:" + "x".repeat(129)));
    assertEquals("localhost/a:" + "x".repeat(128), Reference.parse("a:" + "x".repeat(128)).toString());
  }
}
