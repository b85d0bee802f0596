package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Extraction's own tar reader: what GNU tar writes, in each of its formats, reads as
 * commons-compress (an independent reader) reads it; and what tar readers disagree on is refused.
 */
class LayerTarReaderTest {
  private static final int BLOCK = 512;

  @TempDir Path tmp;

  /** One entry as both readers see it, in the terms they share. */
  record Seen(String name, String kind, String link, int mode, long uid, long gid, Instant mtime,
      long size, long major, long minor, String content) {}

  @ParameterizedTest
  @ValueSource(strings = {"gnu", "oldgnu", "posix", "ustar", "v7"})
  void read_gnuTarArchives_readAsCommonsCompressReadsThem(String format) throws Exception {
    Path gnuTar = Requirements.tool("tar");
    Requirements.root();
    Path tree = Files.createDirectory(tmp.resolve("tree"));
    Path deep = Files.createDirectories(
        tree.resolve("deep/" + "a".repeat(60) + "/" + "b".repeat(70)));
    Files.writeString(deep.resolve("in-prefix.txt"), "prefixed");
    Files.writeString(tree.resolve("plain"), "x".repeat(1000));
    Files.writeString(tree.resolve("n".repeat(120)), "long name");
    Files.writeString(tree.resolve("日本語.txt"), "utf-8 name");
    Files.createSymbolicLink(tree.resolve("link"), Path.of("t/".repeat(60) + "target"));
    Files.createLink(tree.resolve("hard"), tree.resolve("plain"));
    Path owned = Files.writeString(tree.resolve("owned"), "o");
    run("chown", "3000000:70", owned.toString());
    run("mkfifo", tree.resolve("fifo").toString());
    run("mknod", tree.resolve("null").toString(), "c", "1", "3");
    run("mknod", tree.resolve("big").toString(), "b", "300", "70000");
    Files.setLastModifiedTime(tree.resolve("plain"), FileTime.from(Instant.ofEpochSecond(
        1_600_000_000L, 123_456_789)));
    Path archive = tmp.resolve("a.tar");
    // Each format stores what it can; ustar and v7 leave out (and complain of) the rest.
    Process p = new ProcessBuilder(gnuTar.toString(), "--format=" + format, "--sort=name",
        "-cf", archive.toString(), "-C", tree.toString(), ".")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    byte[] bytes = Files.readAllBytes(archive);

    List<Seen> ours = ours(bytes);
    List<Seen> theirs = commons(bytes);
    assertEquals(theirs, ours);
    // v7 has no prefix field, no long names, no devices or FIFOs
    assertTrue(ours.size() >= (format.equals("v7") ? 7 : 12), ours.toString());
    assertTrue(format.equals("v7") || ours.stream().anyMatch(s -> s.name().endsWith("in-prefix.txt")
        && s.content().equals("prefixed")), ours.toString());
  }

  private static List<Seen> ours(byte[] tar) throws IOException {
    MeteredInputStream in = new MeteredInputStream(new ByteArrayInputStream(tar), Long.MAX_VALUE);
    LayerTarReader reader = new LayerTarReader(in, 1 << 20);
    List<Seen> seen = new ArrayList<>();
    for (EntryHeader h; (h = reader.nextHeader()) != null; ) {
      seen.add(new Seen(trimSlash(h.name()), h.kind().toString(), h.linkName(), h.mode(), h.uid(),
          h.gid(), h.mtime(), h.size(), h.devMajor(), h.devMinor(),
          new String(reader.readAllBytes(), StandardCharsets.UTF_8)));
    }
    return seen;
  }

  private static List<Seen> commons(byte[] tar) throws IOException {
    List<Seen> seen = new ArrayList<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(tar), "ISO-8859-1")) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        boolean device = e.isCharacterDevice() || e.isBlockDevice();
        seen.add(new Seen(trimSlash(name(e.getName())), kind(e), name(e.getLinkName()),
            e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
            e.getLastModifiedTime().toInstant(), e.getSize(), device ? e.getDevMajor() : 0,
            device ? e.getDevMinor() : 0, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
    return seen;
  }

  /** A name commons-compress read as ISO-8859-1 from a header, or as UTF-8 from a PAX record. */
  private static String name(String s) {
    boolean latin1 = s.chars().allMatch(c -> c <= 0xff);
    return latin1 ? FileNames.decode(s.getBytes(StandardCharsets.ISO_8859_1)) : s;
  }

  private static String trimSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static String kind(TarArchiveEntry e) {
    return switch (e.getLinkFlag()) {
      case '5' -> "DIRECTORY";
      case '1' -> "HARDLINK";
      case '2' -> "SYMLINK";
      case '3' -> "CHAR_DEVICE";
      case '4' -> "BLOCK_DEVICE";
      case '6' -> "FIFO";
      default -> e.getName().endsWith("/") && e.getLinkFlag() == 0 ? "DIRECTORY" : "REGULAR";
    };
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", command));
  }

  // ---- what tar readers disagree on ---------------------------------------------------------

  @Test
  void read_wrongChecksum_refused() {
    byte[] tar = tar().file("a", "a").bytes();
    tar[0] = 'b'; // the name changes, the checksum does not
    assertRefused(tar, "checksum");
  }

  @Test
  void read_checksumOfSignedBytes_accepted() throws IOException {
    // Old tars summed the bytes as signed; Go and GNU tar accept either sum.
    byte[] h = TarFixture.header("", "é", '0', 0644, 0, 0, 0, 0, "", 0, 0);
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      signed += i >= 148 && i < 156 ? ' ' : h[i];
    }
    byte[] field = String.format("%06o\0 ", signed).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(field, 0, h, 148, 8);
    List<Seen> seen = ours(tar().raw(h).bytes());
    assertEquals("é", seen.get(0).name());
  }

  @Test
  void read_loneZeroBlockBeforeAnotherEntry_refused() {
    byte[] tar = tar().file("a", "a").raw(new byte[BLOCK]).file("hidden", "h").bytes();
    assertRefused(tar, "lone zero block");
  }

  @Test
  void read_loneZeroBlockAtTheEnd_endsTheArchive() throws IOException {
    byte[] one = tar().file("a", "a").bytes();
    byte[] tar = Arrays.copyOf(one, one.length - BLOCK);
    assertEquals(1, ours(tar).size());
  }

  @Test
  void read_twoPaxHeadersForOneEntry_refused() {
    byte[] pax = paxHeader(Map.of("path", "first"));
    byte[] tar = tar().raw(pax).raw(paxHeader(Map.of("path", "second"))).file("a", "a").bytes();
    assertRefused(tar, "two PAX headers");
  }

  @Test
  void read_gnuLongNameBesidePaxPath_refused() {
    byte[] tar = tar().gnuLongNames().raw(paxHeader(Map.of("path", "pax-name")))
        .file("g".repeat(150), "a").bytes();
    assertRefused(tar, "both a GNU long name and a PAX path");
  }

  @Test
  void read_globalHeaderBetweenExtendedHeaderAndEntry_refused() {
    byte[] records = TarFixture.paxData(Map.of("comment", "c".getBytes(StandardCharsets.UTF_8)));
    byte[] global = withData(
        TarFixture.header("", "g", 'g', 0644, 0, 0, 0, records.length, "", 0, 0), records);
    byte[] tar = tar().raw(gnuLong('L', "l".repeat(120))).raw(global).file("a", "a").bytes();
    assertRefused(tar, "global header comes between");
  }

  @Test
  void read_v7DeviceWithDeviceNumbers_refused() {
    byte[] h = TarFixture.header("", "dev/x", '3', 0644, 0, 0, 0, 0, "", 1, 3);
    Arrays.fill(h, 257, 265, (byte) 0); // no magic, no version: an old (V7) header
    assertRefused(tar().raw(withChecksum(h)).bytes(), "without a ustar magic");
  }

  @Test
  void read_twoGnuLongNames_refused() {
    byte[] tar = tar().gnuLongNames().raw(gnuLong('L', "x".repeat(120)))
        .file("g".repeat(150), "a").bytes();
    assertRefused(tar, "two GNU long names");
  }

  @Test
  void read_digitsAfterLeadingNul_refused() {
    // commons-compress reads the mode as 0, Go and GNU tar as 0755.
    byte[] h = TarFixture.header("", "a", '0', 0755, 0, 0, 0, 0, "", 0, 0);
    h[100] = 0;
    assertRefused(tar().raw(withChecksum(h)).bytes(), "digits after a NUL");
  }

  @Test
  void read_base256WithoutCanonicalSign_refused() {
    // 0x81: commons-compress drops the low bits of the first byte, Go and GNU tar keep them.
    byte[] h = TarFixture.header("", "a", '0', 0644, 0, 0, 0, 0, "", 0, 0);
    Arrays.fill(h, 124, 136, (byte) 0);
    h[124] = (byte) 0x81;
    assertRefused(tar().raw(withChecksum(h)).bytes(), "base-256");
  }

  @Test
  void read_base256Size_read() throws IOException {
    byte[] h = TarFixture.header("", "a", '0', 0644, 0, 0, 0, 0, "", 0, 0);
    Arrays.fill(h, 124, 136, (byte) 0);
    h[124] = (byte) 0x80;
    h[135] = 3;
    byte[] data = Arrays.copyOf("abc".getBytes(StandardCharsets.US_ASCII), BLOCK);
    List<Seen> seen = ours(tar().raw(withChecksum(h)).raw(data).bytes());
    assertEquals("abc", seen.get(0).content());
  }

  @Test
  void read_ustarPrefixUnderUnknownVersion_refused() {
    byte[] h = TarFixture.header("hidden/prefix", "a", '0', 0644, 0, 0, 0, 0, "", 0, 0);
    h[263] = '0';
    h[264] = '1';
    assertRefused(tar().raw(withChecksum(h)).bytes(), "unknown ustar version");
  }

  @Test
  void read_archiveEndingInsideAHeader_refused() {
    byte[] full = tar().file("a", "a").file("b", "b").bytes();
    assertRefused(Arrays.copyOf(full, 2 * BLOCK + 100), "ends inside a header");
  }

  @Test
  void read_archiveEndingInsideData_refused() {
    byte[] full = tar().file("a", "x".repeat(2000)).bytes();
    assertRefused(Arrays.copyOf(full, 1000), "ends inside");
  }

  @Test
  void read_extendedHeaderWithoutItsEntry_refused() {
    assertRefused(tar().raw(paxHeader(Map.of("path", "p"))).bytes(), "extended header");
  }

  @Test
  void read_badPaxTimes_refused() {
    for (String t : List.of("1.", "x", "1e5", "--1", "99999999999999999999")) {
      assertRefused(tar().add(fileEntry("a", "a").pax("atime", t)).bytes(), "atime");
    }
  }

  @Test
  void read_paxTimes_keepNanoseconds() throws IOException {
    List<Seen> seen =
        ours(tar().add(fileEntry("a", "a").pax("mtime", "-1.25")).bytes());
    assertEquals(Instant.ofEpochSecond(-1, -250_000_000), seen.get(0).mtime());
    seen = ours(tar().add(fileEntry("a", "a").pax("mtime", "1600000000.1234567899")).bytes());
    assertEquals(Instant.ofEpochSecond(1_600_000_000L, 123_456_789), seen.get(0).mtime());
  }

  @Test
  void read_paxSparseRecords_refused() {
    assertRefused(tar().add(fileEntry("a", "a").pax("GNU.sparse.name", "b")).bytes(), "sparse");
  }

  @Test
  void read_paxSizeWithSign_refused() {
    assertRefused(tar().add(fileEntry("a", "a").pax("size", "+1")).bytes(), "size");
  }

  private static void assertRefused(byte[] tar, String why) {
    LayerFormatException e = assertThrows(LayerFormatException.class, () -> ours(tar));
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
  }

  private static byte[] paxHeader(Map<String, String> records) {
    Map<String, byte[]> bytes = new java.util.LinkedHashMap<>();
    records.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
    byte[] data = TarFixture.paxData(bytes);
    return withData(TarFixture.header("", "PaxHeaders/x", 'x', 0644, 0, 0, 0, data.length, "", 0,
        0), data);
  }

  private static byte[] gnuLong(char type, String value) {
    byte[] data = (value + "\0").getBytes(StandardCharsets.UTF_8);
    return withData(TarFixture.header("", "././@LongLink", type, 0644, 0, 0, 0, data.length, "",
        0, 0), data);
  }

  private static byte[] withData(byte[] header, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    out.writeBytes(data);
    out.writeBytes(new byte[(BLOCK - data.length % BLOCK) % BLOCK]);
    return out.toByteArray();
  }

  /** The header with its checksum made right again after a change. */
  private static byte[] withChecksum(byte[] h) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
    }
    byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(field, 0, h, 148, 8);
    return h;
  }
}
