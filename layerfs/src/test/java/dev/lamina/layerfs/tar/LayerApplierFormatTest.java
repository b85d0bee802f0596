package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.dirEntry;
import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.symlinkEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestingInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar dialects, the stream's real end, and the limits that bound a hostile layer. */
class LayerApplierFormatTest {
  @TempDir Path root;

  private static final ApplyOptions FLATTEN = ApplyOptions.defaults(WhiteoutFormat.flatten());

  private ApplyResult apply(byte[] tar, ApplyOptions options) throws IOException {
    return LayerApplier.apply(new ByteArrayInputStream(tar), root, options);
  }

  private LayerFormatException rejects(byte[] tar, ApplyOptions options) {
    return assertThrows(LayerFormatException.class, () -> apply(tar, options));
  }

  private static final String LONG_DIR = "d".repeat(60) + "/" + "e".repeat(60) + "/";
  private static final String LONG_NAME = LONG_DIR + "f".repeat(80);

  @Test
  void apply_paxLongNamesAndLinks_parse() throws Exception {
    apply(tar().file(LONG_NAME, "x").symlink("l", "/" + LONG_NAME).bytes(), FLATTEN);
    assertEquals("x", Files.readString(root.resolve(LONG_NAME)));
    assertEquals("/" + LONG_NAME, Files.readSymbolicLink(root.resolve("l")).toString());
  }

  @Test
  void apply_gnuLongNamesAndLinks_parse() throws Exception {
    apply(tar().gnuLongNames().file(LONG_NAME, "x").symlink("l", "/" + LONG_NAME).bytes(),
        FLATTEN);
    assertEquals("x", Files.readString(root.resolve(LONG_NAME)));
    assertEquals("/" + LONG_NAME, Files.readSymbolicLink(root.resolve("l")).toString());
  }

  @Test
  void apply_ustarPrefixField_parses() throws Exception {
    apply(tar().ustarPrefix().file(LONG_NAME, "x").bytes(), FLATTEN);
    assertEquals("x", Files.readString(root.resolve(LONG_NAME)));
  }

  @Test
  void apply_paxGlobalHeader_isNotExtracted() throws Exception {
    ApplyResult r =
        apply(tar().globalPax("foo/bar", Map.of("comment", "git commit")).file("a", "a").bytes(),
            FLATTEN);
    assertFalse(Files.exists(root.resolve("foo"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("a", Files.readString(root.resolve("a")));
    assertEquals(1, r.entries());
  }

  @Test
  void apply_paxGlobalHeaderRenamingEntries_isRejected() {
    LayerFormatException e =
        rejects(tar().globalPax("g", Map.of("path", "renamed")).file("a", "a").bytes(), FLATTEN);
    assertTrue(e.getMessage().contains("global"), e.getMessage());
  }

  /** Go's archive/tar applies no global record: GNU tar's comments and times change nothing. */
  @Test
  void apply_paxGlobalHeaderWithOtherRecords_isIgnoredAsGoIgnoresIt() throws Exception {
    apply(tar()
            .globalPax("pax_global_header",
                Map.of("globexthdr.comment", "made by GNU tar", "mtime", "5"))
            .add(fileEntry("a", "a").mtime(1_600_000_000L))
            .file("b", "b")
            .bytes(),
        FLATTEN);
    assertEquals("a", Files.readString(root.resolve("a")));
    assertEquals(1_600_000_000L,
        Files.getLastModifiedTime(root.resolve("a")).toInstant().getEpochSecond());
    assertEquals(1_600_000_000L,
        Files.getLastModifiedTime(root.resolve("b")).toInstant().getEpochSecond());
  }

  /** Each key that would change what, where or whose an entry is stays refused, and is named. */
  @Test
  void apply_paxGlobalHeaderChangingOwnersOrLinks_isRejectedNamingTheKey() {
    for (String key : List.of("uid", "gid", "uname", "gname", "linkpath", "size")) {
      LayerFormatException e =
          rejects(tar().globalPax("g", Map.of(key, "1")).file("a", "a").bytes(), FLATTEN);
      assertTrue(e.getMessage().contains("a PAX global header sets '" + key + "'"),
          e.getMessage());
    }
  }

  @Test
  void apply_bytesAfterEndBlocks_areReadAndHashed() throws Exception {
    byte[] plain = tar().file("a", "a").bytes();
    byte[] padded = tar().file("a", "a").trailing(new byte[] {0, 1, 2, 3, 4}).bytes();
    DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(padded));
    ApplyResult r = LayerApplier.apply(in, root, FLATTEN);
    assertEquals(padded.length, r.bytesRead());
    assertEquals(-1, in.read());
    assertEquals(Digest.sha256(padded), in.digest());
    assertNotEquals(Digest.sha256(plain), in.digest());
  }

  @Test
  void apply_streamFailure_isNotReportedAsInvalidLayer() {
    byte[] tar = tar().file("a", "a".repeat(10_000)).bytes();
    InputStream failing =
        new FilterInputStream(new ByteArrayInputStream(tar)) {
          int served;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (served > 4096) {
              throw new IOException("connection reset");
            }
            int n = super.read(b, off, Math.min(len, 512));
            served += Math.max(n, 0);
            return n;
          }
        };
    IOException e =
        assertThrows(IOException.class, () -> LayerApplier.apply(failing, root, FLATTEN));
    assertFalse(e instanceof LayerFormatException, e.toString());
  }

  @Test
  void apply_tooManyEntries_rejected() {
    byte[] tar = tar().file("a", "").file("b", "").file("c", "").bytes();
    LayerFormatException e = rejects(tar, FLATTEN.withMaxEntries(2));
    assertTrue(e.getMessage().contains("more than 2 entries"), e.getMessage());
  }

  @Test
  void apply_tooManyBytes_rejected() {
    byte[] tar = tar().file("a", "x".repeat(100_000)).bytes();
    rejects(tar, FLATTEN.withMaxTotalBytes(50_000));
  }

  @Test
  void apply_hugePaxHeader_rejectedBeforeBuffering() {
    byte[] tar = tar().add(fileEntry("a", "a").pax("comment", "x".repeat(3 << 20))).bytes();
    LayerFormatException e = rejects(tar, FLATTEN);
    assertTrue(e.getMessage().contains("metadata"), e.getMessage());
  }

  @Test
  void apply_largePaxHeaderWithinRaisedLimit_accepted() throws Exception {
    byte[] tar = tar().add(fileEntry("a", "a").pax("comment", "x".repeat(3 << 20))).bytes();
    apply(tar, FLATTEN.withMaxHeaderBytes(8 << 20));
    assertEquals("a", Files.readString(root.resolve("a")));
  }

  @Test
  void apply_largeFileContent_isNotMetadata() throws Exception {
    byte[] tar = tar().file("big", "x".repeat(3 << 20)).file(".wh.gone", "y".repeat(3 << 20))
        .bytes();
    ApplyResult r = apply(tar, FLATTEN);
    assertEquals(3 << 20, r.bytesWritten());
  }

  @Test
  void apply_headerOnlyEntryDeclaringData_rejected() {
    // A directory header claiming 512 bytes followed by what looks like a header: Go-based tools
    // read that block as the next entry, commons-compress as data.
    byte[] hidden = TarFixture.header("", "hidden", '0', 0644, 0, 0, 0, 0, "", 0, 0);
    byte[] tar = tar().add(dirEntry("d").content(hidden)).bytes();
    LayerFormatException e = rejects(tar, FLATTEN);
    assertTrue(e.getMessage().contains("declares data"), e.getMessage());
  }

  @Test
  void apply_symlinkDeclaringData_rejected() {
    rejects(tar().add(symlinkEntry("l", "t").content(new byte[] {1, 2})).bytes(), FLATTEN);
  }

  @Test
  void apply_unsupportedTypes_rejected() {
    for (char type : new char[] {'S', 'V', 'M', 'D', 'Z'}) {
      TarFixture.Entry e = new TarFixture.Entry("x", type);
      LayerFormatException ex = rejects(tar().add(e).bytes(), FLATTEN);
      assertTrue(ex.getMessage().contains("'x'") || ex.getMessage().contains("corrupt"),
          ex.getMessage());
    }
  }

  @Test
  void apply_v7TrailingSlash_isDirectoryOnlyForOldType() throws Exception {
    apply(tar().add(new TarFixture.Entry("olddir/", '\0').mode(0755))
        .add(new TarFixture.Entry("newfile/", '0')).bytes(), FLATTEN);
    assertTrue(Files.isDirectory(root.resolve("olddir"), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isRegularFile(root.resolve("newfile"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void apply_controlCharactersInName_messageStaysOneLine() {
    byte[] tar = tar().file("evil\nname/.wh..", "").bytes();
    LayerFormatException e = rejects(tar, FLATTEN);
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().contains("evil\\x0aname"), e.getMessage());
  }

  @Test
  void apply_truncatedArchive_rejected() {
    byte[] full = tar().file("a", "x".repeat(2000)).bytes();
    byte[] cut = java.util.Arrays.copyOf(full, 1000);
    assertThrows(IOException.class, () -> apply(cut, FLATTEN));
  }
}
