package dev.lamina.layerfs.tar;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerWriterTest {
  @TempDir Path tmp;

  static byte[] tar(LayerWriter writer, Collection<LayerEntry> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = writer.write(entries, out);
    assertEquals(out.size(), n);
    return out.toByteArray();
  }

  static byte[] tar(Collection<LayerEntry> entries) throws IOException {
    return tar(LayerWriter.preservingMtimes(), entries);
  }

  static LayerEntry file(String path, String content) {
    byte[] bytes = content.getBytes(UTF_8);
    return LayerEntry.regular(path, bytes.length, ContentSource.ofBytes(bytes));
  }

  private Path writeTar(byte[] tar) throws IOException {
    Path file = Files.createTempFile(tmp, "layer", ".tar");
    Files.write(file, tar);
    return file;
  }

  /** GNU tar extraction keeping everything a layer carries. */
  private Path extractWithGnuTar(byte[] tar, String name) throws Exception {
    Path dest = Files.createDirectory(tmp.resolve(name));
    Tools.run("tar", "-x", "-f", writeTar(tar).toString(), "-C", dest.toString(),
        "--numeric-owner", "--same-owner", "--same-permissions",
        "--xattrs", "--xattrs-include=*");
    return dest;
  }

  // --- reproducibility ------------------------------------------------------------------------

  /** Creates the same tree in a given order, then sets every time to {@code mtime}. */
  private static void createTree(Path root, boolean reversed, long mtime) throws IOException {
    List<String> files = new ArrayList<>(List.of(
        "etc/hosts", "etc/motd", "usr/bin/tool", "usr/lib/a.so", "usr/lib/b.so", "zeta", "a-b"));
    if (reversed) {
      Collections.reverse(files);
    }
    for (String f : files) {
      Path p = root.resolve(f);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "content of " + f + "\n".repeat(f.length()));
    }
    Files.createDirectories(root.resolve("var/empty"));
    Files.createSymbolicLink(root.resolve("usr/lib/c.so"), Path.of("a.so"));
    Posix.chmod(root.resolve("usr/bin/tool"), 0755);
    try (var walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        if (!Files.isSymbolicLink(p)) {
          Posix.chmod(p, Files.isDirectory(p) ? 0755 : Posix.lstat(p).permissions());
        }
        Posix.lutimes(p, mtime, 123);
      }
    }
  }

  @Test
  void write_sameTreeCreatedInDifferentOrder_givesIdenticalBytes() throws Exception {
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    createTree(first, false, 1_000_000);
    createTree(second, true, 1_000_000);

    byte[] a = tar(DirectoryScanner.scan(first));
    byte[] b = tar(DirectoryScanner.scan(second));

    assertArrayEquals(a, b);
    List<LayerEntry> shuffled = new ArrayList<>(DirectoryScanner.scan(second));
    Collections.shuffle(shuffled, new Random(42));
    assertArrayEquals(a, tar(shuffled));
  }

  @Test
  void write_sameTreeAtDifferentTimes_differsUnlessClampedToAnEarlierEpoch() throws Exception {
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    createTree(first, false, 1_500_000_000);
    createTree(second, true, 2_000_000_000);
    LayerWriter clamped = LayerWriter.clampedTo(Instant.ofEpochSecond(1_400_000_000));

    assertFalse(Arrays.equals(tar(DirectoryScanner.scan(first)), tar(DirectoryScanner.scan(second))),
        "each file's own time is written");
    assertArrayEquals(tar(clamped, DirectoryScanner.scan(first)),
        tar(clamped, DirectoryScanner.scan(second)));
  }

  @Test
  void write_default_keepsEachEntrysTimeInWholeSeconds() throws Exception {
    TarContents read = TarContents.read(tar(List.of(
        file("a/b/c", "x").withMtime(Instant.ofEpochSecond(1_600_000_000, 999_999_999)),
        LayerEntry.directory("a").withMtime(Instant.ofEpochSecond(1_500_000_000)),
        LayerEntry.fifo("f").withMtime(Instant.ofEpochSecond(-5)))));

    Map<String, Instant> times = new TreeMap<>();
    for (TarArchiveEntry e : read.entries()) {
      times.put(e.getName(), e.getModTime().toInstant());
    }
    assertEquals(Map.of(
        "a/", Instant.ofEpochSecond(1_500_000_000),
        "a/b/", Instant.EPOCH, // an implied parent
        "a/b/c", Instant.ofEpochSecond(1_600_000_000),
        "f", Instant.EPOCH), times);
  }

  @Test
  void write_sourceDateEpoch_clampsLaterTimesToIt() throws Exception {
    LayerWriter writer = LayerWriter.withSourceDateEpoch("1700000000");
    List<LayerEntry> entries = List.of(
        file("a/b/c", "x").withMtime(Instant.ofEpochSecond(5)),
        LayerEntry.directory("d").withMtime(Instant.now()),
        file("x".repeat(150), "long name, so a PAX header too").withMtime(Instant.now()));

    byte[] tar = tar(writer, entries);

    Map<String, Instant> times = new TreeMap<>();
    for (TarArchiveEntry e : TarContents.read(tar).entries()) {
      times.put(e.getName(), e.getModTime().toInstant());
    }
    Instant epoch = Instant.ofEpochSecond(1_700_000_000);
    assertEquals(Map.of(
        "a/", Instant.EPOCH, "a/b/", Instant.EPOCH, "a/b/c", Instant.ofEpochSecond(5),
        "d/", epoch, "x".repeat(150), epoch), times);
    // the PAX header block (the first block of the long-named entry) carries the same time
    String listing = Tools.text("tar", "--utc", "-tvf", writeTar(tar).toString());
    assertTrue(listing.contains("2023-11-14 22:13"), listing);
    assertEquals(Optional.of(epoch), writer.epoch());
    assertEquals(Optional.empty(), LayerWriter.withSourceDateEpoch(" ").epoch());
    assertEquals(Optional.of(Instant.EPOCH), LayerWriter.withSourceDateEpoch("0").epoch());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "abc", "1.5", "1e9", "99999999999999999999", "8589934592"})
  void withSourceDateEpoch_invalid_throws(String value) {
    assertThrows(IllegalArgumentException.class, () -> LayerWriter.withSourceDateEpoch(value));
  }

  // --- order and parents ----------------------------------------------------------------------

  @Test
  void write_impliedParents_areExplicitWithFixedModeAndOwner() throws Exception {
    LayerEntry deep = file("a/b/c", "x").withOwner(1000, 1000).withMode(0600);

    TarContents read = TarContents.read(tar(List.of(deep)));

    assertEquals(List.of("a/", "a/b/", "a/b/c"), read.names());
    for (String dir : List.of("a/", "a/b/")) {
      TarArchiveEntry e = read.entry(dir);
      assertTrue(e.isDirectory());
      assertEquals(0755, e.getMode() & 07777);
      assertEquals(0, e.getLongUserId());
      assertEquals(0, e.getLongGroupId());
    }
    assertEquals(1000, read.entry("a/b/c").getLongUserId());
    assertEquals(0600, read.entry("a/b/c").getMode() & 07777);
  }

  @Test
  void write_givenParent_keepsItsMetadata() throws Exception {
    LayerEntry dir = LayerEntry.directory("a").withMode(0700).withOwner(5, 6);

    TarContents read = TarContents.read(tar(List.of(file("a/f", "x"), dir)));

    assertEquals(List.of("a/", "a/f"), read.names());
    assertEquals(0700, read.entry("a/").getMode() & 07777);
    assertEquals(5, read.entry("a/").getLongUserId());
    assertEquals(6, read.entry("a/").getLongGroupId());
  }

  @Test
  void write_sortsAsGnuTarSortNameWithParentsFirst() throws Exception {
    String emoji = "\uD83D\uDE00"; // U+1F600: after U+FFFD in UTF-8, before it in UTF-16
    List<LayerEntry> entries = new ArrayList<>();
    for (String p : List.of("b", "a/b", "a-b", "\uFFFD", emoji, "z", "\u00e9", "a/a", "B")) {
      entries.add(file(p, p));
    }
    Collections.shuffle(entries, new Random(7));

    TarContents read = TarContents.read(tar(entries));

    assertEquals(
        List.of("B", "a/", "a/a", "a/b", "a-b", "b", "z", "\u00e9", "\uFFFD", emoji), read.names());
  }

  @Test
  void plan_duplicatePath_throws() {
    LayerWriter w = LayerWriter.preservingMtimes();
    assertThrows(IllegalArgumentException.class,
        () -> w.plan(List.of(file("a", "1"), LayerEntry.directory("a"))));
  }

  @Test
  void plan_pathUnderNonDirectory_throws() {
    LayerWriter w = LayerWriter.preservingMtimes();
    assertThrows(IllegalArgumentException.class,
        () -> w.plan(List.of(LayerEntry.symlink("a", "/etc"), file("a/passwd", "x"))));
  }

  @Test
  void plan_hardlinkToMissingOrLaterOrDirectoryTarget_throws() {
    LayerWriter w = LayerWriter.preservingMtimes();
    assertThrows(IllegalArgumentException.class,
        () -> w.plan(List.of(LayerEntry.hardlink("b", "a"))));
    assertThrows(IllegalArgumentException.class,
        () -> w.plan(List.of(LayerEntry.hardlink("a", "b"), file("b", "x"))));
    assertThrows(IllegalArgumentException.class,
        () -> w.plan(List.of(LayerEntry.directory("a"), LayerEntry.hardlink("b", "a"))));
  }

  // --- header encoding ------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {99, 100, 101, 155, 255, 256, 1000})
  void write_longNamesAndLinkTargets_readByGnuTarAndCommonsCompress(int length) throws Exception {
    // components of at most 49 bytes, so the path also exists on a real filesystem
    StringBuilder sb = new StringBuilder();
    while (sb.length() < length) {
      int rest = length - sb.length();
      sb.append(rest > 50 ? "d".repeat(48) + (char) ('a' + sb.length() % 26) + "/"
          : "f".repeat(rest));
    }
    String name = sb.toString();
    String linkTarget = "../".repeat(length / 3) + "t".repeat(length % 3 + 1);
    List<LayerEntry> entries = List.of(
        file(name, "content"),
        LayerEntry.symlink("link", linkTarget),
        LayerEntry.hardlink("zz-hard", name));

    byte[] tar = tar(entries);

    TarContents read = TarContents.read(tar);
    assertEquals(name, read.entries().get(read.entries().size() - 3).getName());
    assertArrayEquals("content".getBytes(UTF_8), read.content(name));
    assertEquals(linkTarget, read.entry("link").getLinkName());
    assertEquals(name, read.entry("zz-hard").getLinkName());
    List<String> listed = Arrays.asList(
        Tools.text("tar", "-tf", writeTar(tar).toString()).split("\n"));
    assertTrue(listed.contains(name), listed.toString());
    Path dest = extractWithGnuTar(tar, "x");
    assertEquals("content", Files.readString(dest.resolve(name)));
    assertEquals(linkTarget, Files.readSymbolicLink(dest.resolve("link")).toString());
    assertEquals(Posix.lstat(dest.resolve(name)).ino(), Posix.lstat(dest.resolve("zz-hard")).ino());
  }

  /**
   * Headers are made in one block the writer reuses: each entry's header is exactly the one made
   * for it alone, whatever the entry before it left there (a longer name, a link target, device
   * numbers, a PAX header).
   */
  @Test
  void write_eachHeaderAsIfMadeAlone_whateverCameBefore() throws Exception {
    List<LayerEntry> entries =
        List.of(
            LayerEntry.charDevice("a-device-with-a-rather-long-name-" + "x".repeat(60), 4, 64),
            LayerEntry.symlink("b", "a-link-target-of-some-length"),
            file("c", "c"),
            LayerEntry.regular("d-" + "y".repeat(120), 0, ContentSource.empty()),
            LayerEntry.emptyFile("e"));
    byte[] tar = tar(entries);
    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
    for (LayerEntry e : entries) {
      expected.write(TarHeaders.encode(e, LayerWriter.headerTime(e)));
      if (e.size() > 0) {
        expected.write('c');
        expected.write(new byte[TarHeaders.BLOCK - 1]);
      }
    }
    expected.write(new byte[2 * TarHeaders.BLOCK]);
    assertArrayEquals(expected.toByteArray(), tar);
  }

  @Test
  void encode_sizeFromEightGiB_goesToPaxHeader() throws Exception {
    long big = 8L * 1024 * 1024 * 1024 + 5;
    LayerEntry huge = LayerEntry.regular("huge", big, ContentSource.empty());
    LayerEntry largest = LayerEntry.regular("largest", 077777777777L, ContentSource.empty());

    byte[] headers = TarHeaders.encode(huge, 1);

    assertEquals(3 * TarHeaders.BLOCK, headers.length);
    String ustarSize = new String(headers, 2 * TarHeaders.BLOCK + 124, 11, UTF_8);
    assertEquals("00000000000", ustarSize);
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new java.io.ByteArrayInputStream(headers))) {
      TarArchiveEntry e = in.getNextEntry();
      assertEquals("huge", e.getName());
      assertEquals(big, e.getSize());
    }
    assertEquals(TarHeaders.BLOCK, TarHeaders.encode(largest, 1).length);
  }

  @Test
  void write_bigIds_goToPaxHeader() throws Exception {
    LayerEntry e = file("f", "x").withOwner(4_000_000_000L, 3_000_000);

    TarArchiveEntry read = TarContents.read(tar(List.of(e))).entry("f");

    assertEquals(4_000_000_000L, read.getLongUserId());
    assertEquals(3_000_000L, read.getLongGroupId());
  }

  @Test
  void write_xattrsWithBinaryValues_roundTripThroughGnuTar() throws Exception {
    Requirements.root();
    byte[] binary = {0, 1, (byte) 0xff, (byte) 0x80, '\n', '=', ' ', (byte) 0xc3};
    Map<String, byte[]> xattrs = new TreeMap<>();
    xattrs.put("user.text", "hello".getBytes(UTF_8));
    xattrs.put("user.binary", binary);
    xattrs.put("trusted.lamina", "y".getBytes(UTF_8));
    LayerEntry f = file("dir/f", "x").withXattrs(xattrs);
    LayerEntry d = LayerEntry.directory("dir").withXattrs(Map.of("user.d", new byte[] {7}));

    byte[] tar = tar(List.of(f, d));

    Path dest = extractWithGnuTar(tar, "x");
    Path out = dest.resolve("dir/f");
    assertArrayEquals("hello".getBytes(UTF_8), Posix.lgetxattr(out, "user.text").orElseThrow());
    assertArrayEquals(binary, Posix.lgetxattr(out, "user.binary").orElseThrow());
    assertArrayEquals("y".getBytes(UTF_8), Posix.lgetxattr(out, "trusted.lamina").orElseThrow());
    assertArrayEquals(new byte[] {7}, Posix.lgetxattr(dest.resolve("dir"), "user.d").orElseThrow());
    TarArchiveEntry read = TarContents.read(tar).entry("dir/f");
    assertEquals("hello", read.getExtraPaxHeader("SCHILY.xattr.user.text"));
  }

  @Test
  void write_modesDevicesFifosHardlinks_roundTripThroughGnuTar() throws Exception {
    Requirements.root();
    Path src = Files.createDirectory(tmp.resolve("src"));
    Files.writeString(src.resolve("setuid"), "#!/bin/sh\n");
    Posix.chmod(src.resolve("setuid"), 04755);
    Files.createDirectory(src.resolve("setgid"));
    Posix.chmod(src.resolve("setgid"), 02775);
    Files.createDirectory(src.resolve("sticky"));
    Posix.chmod(src.resolve("sticky"), 01777);
    Files.writeString(src.resolve("sticky/owned"), "x");
    Posix.lchown(src.resolve("sticky/owned"), 1234, 5678);
    Posix.mknod(src.resolve("null"), FileStat.S_IFCHR | 0666, 1, 3);
    Posix.mknod(src.resolve("loop"), FileStat.S_IFBLK | 0660, 7, 200);
    Posix.mknod(src.resolve("pipe"), FileStat.S_IFIFO | 0640, 0, 0);
    Files.createLink(src.resolve("setgid/hard"), src.resolve("setuid"));
    Files.createSymbolicLink(src.resolve("setgid/soft"), Path.of("../setuid"));
    Files.writeString(src.resolve("\u00fcnicode \u2603"), "snow");
    try (ServerSocketChannel sock = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      sock.bind(UnixDomainSocketAddress.of(src.resolve("socket")));

      byte[] tar = tar(DirectoryScanner.scan(src));

      TarContents read = TarContents.read(tar);
      assertEquals(List.of("loop", "null", "pipe", "setgid/", "setgid/hard", "setgid/soft",
          "setuid", "sticky/", "sticky/owned", "\u00fcnicode \u2603"), read.names());
      assertEquals(04755, read.entry("setuid").getMode() & 07777);
      assertEquals(02775, read.entry("setgid/").getMode() & 07777);
      assertEquals(01777, read.entry("sticky/").getMode() & 07777);
      assertTrue(read.entry("null").isCharacterDevice());
      assertEquals(1, read.entry("null").getDevMajor());
      assertEquals(3, read.entry("null").getDevMinor());
      assertTrue(read.entry("loop").isBlockDevice());
      assertEquals(200, read.entry("loop").getDevMinor());
      assertTrue(read.entry("pipe").isFIFO());
      // "setgid/hard" sorts before "setuid", so it carries the content and setuid links to it
      assertTrue(read.entry("setuid").isLink());
      assertEquals("setgid/hard", read.entry("setuid").getLinkName());
      assertEquals(1234, read.entry("sticky/owned").getLongUserId());

      // GNU tar rebuilds the same tree: scanning its extraction writes the same bytes
      Path dest = extractWithGnuTar(tar, "dest");
      assertArrayEquals(tar, tar(DirectoryScanner.scan(dest)));
      String listing = Tools.text("tar", "--utc", "-tvf", writeTar(tar).toString());
      assertTrue(listing.contains("1234/5678"), listing);
      // each entry keeps its file's own time
      assertEquals(Posix.lstat(src.resolve("sticky/owned")).mtimeSeconds(),
          read.entry("sticky/owned").getModTime().toInstant().getEpochSecond());
      assertEquals(Posix.lstat(src.resolve("sticky")).mtimeSeconds(),
          read.entry("sticky/").getModTime().toInstant().getEpochSecond());
    }
  }

  @Test
  void write_layout_blocksEndWithTwoZeroBlocks() throws Exception {
    byte[] tar = tar(List.of(file("a", "12345"), LayerEntry.directory("d")));

    assertEquals(0, tar.length % TarHeaders.BLOCK);
    assertEquals(5 * TarHeaders.BLOCK, tar.length); // a, its content, d/, two zero blocks
    for (int i = tar.length - 2 * TarHeaders.BLOCK; i < tar.length; i++) {
      assertEquals(0, tar[i]);
    }
  }

  @Test
  void write_contentShorterOrLongerThanSize_throwsContentChanged() {
    LayerEntry shorter = LayerEntry.regular("s", 10, ContentSource.ofBytes(new byte[5]));
    LayerEntry longer = LayerEntry.regular("l", 10, ContentSource.ofBytes(new byte[11]));
    OutputStreamSink sink = new OutputStreamSink();

    assertThrows(ContentChangedException.class,
        () -> LayerWriter.preservingMtimes().write(List.of(shorter), sink));
    assertThrows(ContentChangedException.class,
        () -> LayerWriter.preservingMtimes().write(List.of(longer), sink));
  }

  @Test
  void write_fileChangedAfterScan_throwsContentChanged() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("d"));
    Files.writeString(dir.resolve("f"), "before");
    List<LayerEntry> entries = DirectoryScanner.scan(dir);
    Files.writeString(dir.resolve("f"), "after, longer");

    assertThrows(ContentChangedException.class,
        () -> LayerWriter.preservingMtimes().write(entries, new OutputStreamSink()));
  }

  @Test
  void write_contentLargerThanBuffer_isCopiedExactly() throws Exception {
    byte[] data = new byte[700_001];
    new Random(1).nextBytes(data);
    LayerEntry big = LayerEntry.regular("big", data.length, () -> new SlowStream(data));

    TarContents read = TarContents.read(tar(List.of(big, file("small", "s"))));

    assertArrayEquals(data, read.content("big"));
    assertArrayEquals("s".getBytes(UTF_8), read.content("small"));
  }

  /** Hands out at most 1000 bytes per read, as a pipe might. */
  private static final class SlowStream extends InputStream {
    private final byte[] data;
    private int pos;

    SlowStream(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, 1000), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  private static final class OutputStreamSink extends java.io.OutputStream {
    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }

  @Test
  void failingStream_failsTheWrite_andNoWriterThreadIsLeft() throws Exception {
    byte[] content = new byte[3 << 20];
    List<LayerEntry> entries = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      entries.add(LayerEntry.regular("f" + i, content.length,
          () -> new java.io.ByteArrayInputStream(content)));
    }
    java.io.OutputStream failing = new java.io.OutputStream() {
      private long seen;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        seen += len;
        if (seen > (5 << 20)) {
          throw new IOException("disk full");
        }
      }
    };
    IOException e = assertThrows(IOException.class,
        () -> LayerWriter.preservingMtimes().write(entries, failing));
    assertEquals("disk full", e.getMessage());
    // The writer thread is stopped when the write returns; it ends within moments.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("layer-writer"))) {
      assertTrue(System.nanoTime() < deadline, "a layer-writer thread is left running");
      Thread.onSpinWait();
    }
  }

  @Test
  void pipelinedWrite_givesTheSameBytes_asTheContentInOrder() throws IOException {
    byte[] a = new byte[700_000];
    byte[] b = new byte[300_001];
    new java.util.Random(1).nextBytes(a);
    new java.util.Random(2).nextBytes(b);
    List<LayerEntry> entries = List.of(
        LayerEntry.regular("a", a.length, () -> new java.io.ByteArrayInputStream(a)),
        LayerEntry.regular("b", b.length, () -> new java.io.ByteArrayInputStream(b)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = LayerWriter.preservingMtimes().write(entries, out);
    byte[] tar = out.toByteArray();
    assertEquals(n, tar.length);
    assertArrayEquals(a, Arrays.copyOfRange(tar, 512, 512 + a.length));
    int bStart = 512 + (a.length + 511) / 512 * 512 + 512;
    assertArrayEquals(b, Arrays.copyOfRange(tar, bStart, bStart + b.length));
  }

  /**
   * A stream below that is slower than the caller fills the writer's queue of buffers: each buffer
   * is reused only once written, so what arrives is the content in order, byte for byte.
   */
  @Test
  void slowStreamBelow_queuedBuffersArriveInOrderAndUnchanged() throws IOException {
    List<LayerEntry> entries = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      byte[] c = new byte[400_000 + i];
      new Random(i).nextBytes(c);
      contents.add(c);
      entries.add(LayerEntry.regular("f" + (char) ('a' + i), c.length,
          () -> new java.io.ByteArrayInputStream(c)));
    }
    ByteArrayOutputStream slow = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.write(b, off, len);
      }
    };
    ByteArrayOutputStream fast = new ByteArrayOutputStream();

    LayerWriter.preservingMtimes().write(entries, slow);
    LayerWriter.preservingMtimes().write(entries, fast);

    assertArrayEquals(fast.toByteArray(), slow.toByteArray());
    TarContents read = TarContents.read(slow.toByteArray());
    for (int i = 0; i < contents.size(); i++) {
      assertArrayEquals(contents.get(i), read.content("f" + (char) ('a' + i)));
    }
  }

  /** Once a write to the stream below fails, the buffers queued after it are not written. */
  @Test
  void failedWrite_theBuffersQueuedAfterItAreNotWritten() {
    byte[] content = new byte[6 << 20];
    List<LayerEntry> entries = List.of(LayerEntry.regular("f", content.length,
        () -> new java.io.ByteArrayInputStream(content)));
    java.util.concurrent.atomic.AtomicInteger afterFailure =
        new java.util.concurrent.atomic.AtomicInteger();
    java.io.OutputStream failing = new java.io.OutputStream() {
      private boolean failed;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (failed) {
          afterFailure.incrementAndGet();
          return;
        }
        try {
          Thread.sleep(20); // slow enough for the caller to queue buffers behind this one
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        failed = true;
        throw new IOException("disk full");
      }
    };

    IOException e = assertThrows(IOException.class,
        () -> LayerWriter.preservingMtimes().write(entries, failing));

    assertEquals("disk full", e.getMessage());
    assertEquals(0, afterFailure.get());
  }
}
