package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
  @TempDir Path root;

  private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void open_createsLayout() throws Exception {
    Store store = Store.open(root);
    assertEquals(
        "{\"imageLayoutVersion\":\"1.0.0\"}",
        Files.readString(root.resolve("images/oci-layout")));
    assertTrue(Files.isDirectory(root.resolve("images/blobs/sha256")));
    assertTrue(Files.isDirectory(root.resolve("tmp")));
    assertEquals(List.of(), store.layout().index().manifests());
    assertTrue(Files.readString(root.resolve("images/index.json")).contains("\"manifests\":[]"));
  }

  @Test
  void put_storesUnderDigest_andIsIdempotent() throws Exception {
    Store store = Store.open(root);
    BlobInfo first = store.blobs().put(HELLO);
    BlobInfo second = store.blobs().put(new ByteArrayInputStream(HELLO));
    assertEquals(first, second);
    assertEquals(Digest.sha256(HELLO), first.digest());
    assertEquals(HELLO.length, first.size());
    Path file = root.resolve("images/blobs/sha256/" + first.digest().hex());
    assertArrayEquals(HELLO, Files.readAllBytes(file));
    assertEquals(List.of(first.digest()), store.blobs().list());
    assertEmpty(root.resolve("tmp"));
  }

  @Test
  void writer_closedWithoutCommit_leavesNothing() throws Exception {
    Store store = Store.open(root);
    try (BlobWriter w = store.blobs().newWriter()) {
      w.write(HELLO);
      assertEquals(1, Files.list(root.resolve("tmp")).count());
    }
    assertEquals(List.of(), store.blobs().list());
    assertEmpty(root.resolve("tmp"));
  }

  /**
   * Written past the page cache, a blob of any length commits exactly its bytes: whole blocks go
   * directly, the last partial one the ordinary way, in pieces of any size.
   */
  @Test
  void directWrites_ofEveryLengthAroundBlocks_commitExactlyTheBytes() throws Exception {
    Store store = Store.open(root);
    java.util.Random random = new java.util.Random(5);
    int mib = 1 << 20;
    for (int size : new int[] {0, 1, 511, 4095, 4096, 4097, mib, mib + 4097, 3 * mib + 5,
        9 * mib + 513}) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      BlobWriter w = store.blobs().newWriter().withDirectWrites();
      assertTrue(w.writesDirectly(), "O_DIRECT on " + root);
      for (int off = 0, piece = 1; off < size; off += piece, piece = piece * 7 % 70_001 + 1) {
        w.write(bytes, off, Math.min(piece, size - off));
      }
      BlobInfo info = w.commit();
      assertEquals(Digest.sha256(bytes), info.digest(), "size " + size);
      assertArrayEquals(bytes,
          Files.readAllBytes(root.resolve("images/blobs/sha256/" + info.digest().hex())));
    }
    try (BlobWriter discarded = store.blobs().newWriter().withDirectWrites()) {
      discarded.write(new byte[mib + 3]);
    }
    assertEmpty(root.resolve("tmp"));
  }

  @Test
  void largeBlob_syncedInTheBackgroundWhileWritten_commitsWhole_orIsDiscardedWhole()
      throws Exception {
    Store store = Store.open(root);
    byte[] chunk = new byte[1 << 20];
    new java.util.Random(9).nextBytes(chunk);
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    BlobWriter w = store.blobs().newWriter();
    for (int i = 0; i < 50; i++) {
      chunk[0] = (byte) i;
      w.write(chunk);
      sha.update(chunk);
    }
    BlobInfo info = w.commit();
    assertEquals(Digest.parse("sha256:" + java.util.HexFormat.of().formatHex(sha.digest())),
        info.digest());
    assertEquals(50L << 20, info.size());
    assertEquals(info.digest(), Digest.sha256(store.blobs().open(info.digest(), info.size())));

    try (BlobWriter discarded = store.blobs().newWriter()) {
      for (int i = 0; i < 40; i++) {
        discarded.write(chunk);
      }
    }
    assertEquals(List.of(info.digest()), store.blobs().list());
    assertEmpty(root.resolve("tmp"));
  }

  @Test
  void commit_withWrongDigest_throwsAndStoresNothing() throws Exception {
    Store store = Store.open(root);
    BlobWriter w = store.blobs().newWriter();
    w.write(HELLO);
    assertThrows(DigestMismatchException.class, () -> w.commit(Digest.sha256("other"), 6));
    assertEquals(List.of(), store.blobs().list());
    assertEmpty(root.resolve("tmp"));
  }

  @Test
  void commit_withWrongSize_throws() throws Exception {
    Store store = Store.open(root);
    BlobWriter w = store.blobs().newWriter();
    w.write(HELLO);
    assertThrows(DigestMismatchException.class, () -> w.commit(Digest.sha256(HELLO), 5));
    assertEquals(List.of(), store.blobs().list());
  }

  @Test
  void putVerified_rejectsWrongContent() throws Exception {
    Store store = Store.open(root);
    Descriptor d = Descriptor.of(MediaType.OCI_LAYER, Digest.sha256(HELLO), HELLO.length);
    assertThrows(
        DigestMismatchException.class,
        () -> store.blobs().putVerified(new ByteArrayInputStream("jello\n".getBytes()), d));
    assertThrows(
        DigestMismatchException.class,
        () -> store.blobs().putVerified(new ByteArrayInputStream("hello\n\0".getBytes()), d));
    assertEquals(List.of(), store.blobs().list());
    assertEquals(d, store.blobs().putVerified(new ByteArrayInputStream(HELLO), d));
    assertTrue(store.blobs().exists(d.digest()));
  }

  @Test
  void open_verifiesDigestAndSize() throws Exception {
    Store store = Store.open(root);
    BlobInfo b = store.blobs().put(HELLO);
    try (VerifyingInputStream in = store.blobs().open(b.digest(), b.size())) {
      assertArrayEquals(HELLO, in.readAllBytes());
      assertTrue(in.isVerified());
    }
    try (VerifyingInputStream in = store.blobs().open(b.digest(), b.size() - 1)) {
      assertThrows(DigestMismatchException.class, in::readAllBytes);
    }
    Files.write(root.resolve("images/blobs/sha256/" + b.digest().hex()), "jello\n".getBytes());
    try (VerifyingInputStream in = store.blobs().open(b.digest(), b.size())) {
      assertThrows(DigestMismatchException.class, in::readAllBytes);
    }
  }

  @Test
  void open_missing_throwsBlobNotFound() throws Exception {
    Store store = Store.open(root);
    assertThrows(BlobNotFoundException.class, () -> store.blobs().open(Digest.sha256("x"), 1));
    assertFalse(store.blobs().exists(Digest.sha256("x")));
    assertFalse(store.blobs().delete(Digest.sha256("x")));
  }

  @Test
  void readVerified_refusesOversizedDescriptorBeforeReading() throws Exception {
    Store store = Store.open(root);
    BlobInfo b = store.blobs().put(HELLO);
    Descriptor huge =
        Descriptor.of(MediaType.OCI_MANIFEST, b.digest(), Json.MAX_METADATA_BYTES + 1L);
    var e = assertThrows(java.io.IOException.class, () -> store.blobs().readVerified(huge));
    assertTrue(e.getMessage().contains("more than"), e.getMessage());
  }

  @Test
  void open_refusesSymlinkedBlob() throws Exception {
    Store store = Store.open(root);
    Path target = root.resolve("secret");
    Files.write(target, HELLO);
    Files.createSymbolicLink(
        root.resolve("images/blobs/sha256/" + Digest.sha256(HELLO).hex()), target);
    assertThrows(
        DigestMismatchException.class, () -> store.blobs().open(Digest.sha256(HELLO), 6));
  }

  @Test
  void list_ignoresFilesThatAreNotDigests() throws Exception {
    Store store = Store.open(root);
    Files.writeString(root.resolve("images/blobs/sha256/NOTAHEX"), "x");
    Files.writeString(root.resolve("images/blobs/sha256/.hidden"), "x");
    assertEquals(List.of(), store.blobs().list());
  }

  @Test
  void reopen_removesStaleTempFiles_butNotLiveOnes() throws Exception {
    Store store = Store.open(root);
    Files.writeString(root.resolve("tmp/blob-stale"), "left by a crash");
    Files.createDirectories(root.resolve("tmp/debris/dir"));
    try (BlobWriter live = store.blobs().newWriter()) {
      live.write(HELLO);
      Store.open(root);
      assertEquals(1, Files.list(root.resolve("tmp")).count(), "only the live temp remains");
      assertEquals(Digest.sha256(HELLO), live.commit().digest());
    }
    assertEmpty(root.resolve("tmp"));
  }

  static void assertEmpty(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      assertEquals(List.of(), s.toList());
    }
  }
}
