package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.RawNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileNamesTest {
  @TempDir Path tmp;

  @Test
  void decodeEncode_everyByteStringRoundTrips() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(12)];
      for (int j = 0; j < bytes.length; j++) {
        // Bias towards bytes that make or break UTF-8 sequences.
        bytes[j] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(256));
        if (bytes[j] == 0) {
          bytes[j] = 'x';
        }
      }
      assertArrayEquals(bytes, FileNames.encode(FileNames.decode(bytes)), hex(bytes));
    }
  }

  @Test
  void decode_validUtf8IsText_invalidBytesStayDistinct() {
    assertEquals("café", FileNames.decode("café".getBytes(StandardCharsets.UTF_8)));
    assertEquals("日本語", FileNames.decode("日本語".getBytes(StandardCharsets.UTF_8)));
    assertEquals("\uD83D\uDE00", FileNames.decode(HexFormat.of().parseHex("f09f9880")));
    String ff = FileNames.decode(new byte[] {'a', (byte) 0xff});
    String fe = FileNames.decode(new byte[] {'a', (byte) 0xfe});
    assertNotEquals(ff, fe);
    assertFalse(FileNames.isText(ff));
    assertTrue(FileNames.isText("café"));
    // Encoded surrogates and overlong forms are not UTF-8: kept as bytes, not as text.
    byte[] surrogate = HexFormat.of().parseHex("eda080");
    assertArrayEquals(surrogate, FileNames.encode(FileNames.decode(surrogate)));
    byte[] overlong = HexFormat.of().parseHex("c0af");
    assertArrayEquals(overlong, FileNames.encode(FileNames.decode(overlong)));
    // A genuine U+FFFD is three bytes, not a stand-in for a lost one.
    assertArrayEquals(HexFormat.of().parseHex("efbfbd"), FileNames.encode("\uFFFD"));
  }

  /** Files made by the shell are found, named and reached again with every byte. */
  @Test
  void pathsOfShellMadeFiles_keepTheirBytes() throws Exception {
    RawNames.create(tmp);
    TreeMap<String, String> seen = new TreeMap<>();
    List<Path> children = new ArrayList<>();
    try (var list = Files.newDirectoryStream(tmp)) {
      list.forEach(children::add);
    }
    for (Path child : children) {
      String name = FileNames.name(child.getFileName());
      assertArrayEquals(FileNames.encode(name), FileNames.bytes(child.getFileName()));
      // From the name alone (no bytes kept in a Path), the same file is reached.
      Path again = FileNames.resolve(tmp, name);
      assertEquals(child, again);
      assertEquals(child.getFileName(), FileNames.path(name));
      assertEquals(tmp.resolve(child.getFileName()), FileNames.path(FileNames.name(child)));
      if (Files.isRegularFile(again)) {
        seen.put(hex(FileNames.encode(name)), Files.readString(again));
        // A system call through jnr reaches the file too.
        Posix.lutimes(again, 12345, 0);
        assertEquals(12345, Posix.lstat(again).mtimeSeconds());
      }
    }
    assertEquals("one", seen.get(RawNames.hex(RawNames.A_FF)));
    assertEquals("two", seen.get(RawNames.hex(RawNames.A_FE)));
    assertEquals("latin", seen.get(RawNames.hex(RawNames.LATIN1)));
    assertEquals("cafe", seen.get(RawNames.hex(RawNames.CAFE)));

    String deep = FileNames.decode(RawNames.bytes(RawNames.FILES.get(4)[0]));
    assertEquals("deep", Files.readString(FileNames.resolve(tmp, deep)));
    assertEquals(deep, FileNames.name(tmp.relativize(FileNames.resolve(tmp, deep))));
  }

  @Test
  void readlink_keepsTheTargetsBytes() throws Exception {
    byte[] target = {'.', '.', '/', 'x', (byte) 0xff, '/', '/', 'y', '/'};
    Path link = tmp.resolve("link");
    Posix.symlink(FileNames.decode(target), link);
    assertArrayEquals(target, FileNames.encode(Posix.readlink(link)));
    assertArrayEquals(target, RawNames.sh("readlink \"$1\" | tr -d '\\n'", link.toString()));
  }

  /**
   * Under a locale whose charset is not UTF-8 (C, POSIX: the JDK then decodes names as ASCII),
   * names still keep their bytes through a layer: the conversion does not depend on the locale.
   */
  @Test
  void asciiLocale_namesStillKeepTheirBytes() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    Path dest = Files.createDirectory(tmp.resolve("dest"));
    RawNames.create(src);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
            FileNamesProbe.class.getName(), src.toString(), dest.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG"));
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    assertNotEquals("UTF-8", out, "the child JVM runs with a charset other than UTF-8");
    assertEquals(RawNames.expected(), RawNames.list(dest));
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
