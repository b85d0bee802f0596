package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LayerEntryTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"", "/a", "./a", "a/", "a//b", "a/./b", "a/..", "..", ".", "a/../b", "a\0"})
  void new_unnormalisedPath_throws(String path) {
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "a/b", "..gitme", "foo/..bar", ".wh..wh..opq", "a/.wh.b", "..."})
  void new_normalisedPath_isAccepted(String path) {
    assertEquals(path, LayerEntry.directory(path).path());
  }

  @ParameterizedTest
  @CsvSource({"/a/b/, a/b", "./a, a", "././a//b/./c/, a/b/c", "a, a", "//x, x"})
  void normalise_looseForms(String loose, String normal) {
    assertEquals(normal, LayerEntry.normalise(loose));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", ".", "./", "a/../b", "../a", ""})
  void normalise_rootOrDotDot_throws(String loose) {
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.normalise(loose));
  }

  @Test
  void new_inconsistentFields_throw() {
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory("d").withMode(010000));
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory("d").withOwner(-1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> LayerEntry.directory("d").withOwner(0, 1L << 32));
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.symlink("s", ""));
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.hardlink("h", "/abs"));
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.hardlink("h", "../up"));
    assertThrows(IllegalArgumentException.class,
        () -> LayerEntry.charDevice("c", LayerEntry.MAX_DEVICE_NUMBER + 1, 0));
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.charDevice("c", -1, 0));
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.regular("f", -1, null));
    assertThrows(IllegalArgumentException.class, () -> LayerEntry.regular("f", 1, null));
    assertThrows(IllegalArgumentException.class,
        () -> LayerEntry.directory("d").withXattrs(Map.of("a=b", new byte[0])));
    assertThrows(IllegalArgumentException.class,
        () -> LayerEntry.directory("d").withXattrs(Map.of("", new byte[0])));
  }

  @Test
  void withXattrs_copiesValues() {
    byte[] value = {1};
    LayerEntry e = LayerEntry.directory("d").withXattrs(Map.of("user.a", value));
    value[0] = 2;

    assertEquals(1, e.xattrs().get("user.a")[0]);
    assertThrows(UnsupportedOperationException.class, () -> e.xattrs().put("user.b", value));
  }

  @Test
  void pathOrder_isUtf8ByteOrderWithSlashLowest() {
    List<String> paths = new ArrayList<>(List.of("\uD83D\uDE00", "\uFFFD", "\uE000", "z", "a/b",
        "a-b", "a", "\u00e9", "\uD7FF"));
    paths.sort(LayerEntry.PATH_ORDER);

    List<String> byBytes = new ArrayList<>(paths);
    // GNU tar's --sort=name walks each directory in byte order: '/' below everything else.
    byBytes.sort((x, y) -> Arrays.compareUnsigned(
        x.replace('/', '\u0001').getBytes(java.nio.charset.StandardCharsets.UTF_8),
        y.replace('/', '\u0001').getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(byBytes, paths);
    assertTrue(paths.indexOf("\uD83D\uDE00") > paths.indexOf("\uFFFD"));
    assertEquals(List.of("a", "a/b", "a-b"), paths.subList(0, 3));
  }
}
