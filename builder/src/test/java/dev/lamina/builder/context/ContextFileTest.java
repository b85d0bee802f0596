package dev.lamina.builder.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.tar.ContentChangedException;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.ReadAhead;
import dev.lamina.layerfs.tar.TreeWalk;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A context file read ahead of the layer write: the same bytes and digest, changes still seen. */
class ContextFileTest {
  @TempDir Path tmp;

  private static ContextFile contextFile(Path file) throws Exception {
    return new ContextFile(file, file.getFileName().toString(), FileStamp.of(file),
        FileDigests.uncached());
  }

  @Test
  void readAhead_keepsTheBytesForTheWrite_andKnowsTheirDigest() throws Exception {
    byte[] bytes = new byte[ReadAhead.MAX_FILE];
    new Random(5).nextBytes(bytes);
    for (int size : new int[] {1, 1500, ReadAhead.MAX_FILE}) {
      Path file = Files.write(tmp.resolve("f" + size), java.util.Arrays.copyOf(bytes, size));
      ContextFile f = contextFile(file);
      assertNull(f.knownHex());
      assertEquals(size, f.readAhead());
      assertEquals(Digest.sha256(Files.readAllBytes(file)).hex(), f.knownHex());
      Files.write(file, new byte[size]); // same size, other bytes: the held ones are written
      try (InputStream in = f.open()) {
        assertArrayEquals(java.util.Arrays.copyOf(bytes, size), in.readAllBytes());
      }
    }
  }

  @Test
  void readAhead_leavesLargeAndChangedFilesToTheWrite() throws Exception {
    Path large = Files.write(tmp.resolve("large"), new byte[ReadAhead.MAX_FILE + 1]);
    assertEquals(0, contextFile(large).readAhead());

    // grown or shrunk since its lstat: not read ahead, and the write reports the change
    for (int now : new int[] {11, 9}) {
      Path file = Files.write(tmp.resolve("changed" + now), new byte[10]);
      ContextFile f = contextFile(file);
      Files.write(file, new byte[now]);
      assertEquals(0, f.readAhead());
      assertNull(f.knownHex());
      LayerEntry e = LayerEntry.regular("changed", 10, f);
      assertThrows(ContentChangedException.class,
          () -> LayerWriter.preservingMtimes().write(List.of(e), new ByteArrayOutputStream()));
    }
  }

  /**
   * A file whose digest the memo knows is not read ahead but streamed to the write: it is opened
   * by name in the directory its walk listed, so a directory deleted and replaced by a symlink to
   * outside the context meanwhile fails the read instead of leading it out (a read by path gave
   * the outside file of the same name and size).
   */
  @Test
  void knownDigest_readByNameInItsDirectory_notThroughASymlinkSwappedIn() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("f"), "host");
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.createDirectories(context.resolve("d"));
    Files.writeString(context.resolve("d/f"), "mine");
    String knownHex = Digest.sha256("mine".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .hex();

    ContextFile f = null;
    for (LayerEntry e : new TreeWalk(context, p -> p.equals("d/f"),
        (path, file, st, xattrs, hardlinkTo, recalled, where) -> LayerEntry.regular(path,
            st.size(), new ContextFile(file, path, FileStamp.of(st), FileDigests.uncached(),
                knownHex, true, where, false)))) {
      f = (ContextFile) e.content();
    }
    assertEquals(false, f.wantsReadAhead(), "a known digest is not read ahead");
    Files.delete(context.resolve("d/f"));
    Files.delete(context.resolve("d"));
    dev.lamina.layerfs.posix.Posix.symlink(outside.toString(), context.resolve("d"));

    ContextFile known = f;
    assertThrows(java.nio.file.NoSuchFileException.class, () -> known.open().close());
  }

  /**
   * For a layer write, a file whose digest the memo knows is read ahead too, its bytes only: the
   * write reads it anyway. Its digest stays the memo's, and the write gets the bytes held.
   */
  @Test
  void knownDigest_readAheadForTheWrite_bytesOnly() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("f"), "mine");
    String memoHex = Digest.sha256(
        "what the memo says".getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex();
    ContextFile f = null;
    for (LayerEntry e : new TreeWalk(context, p -> true,
        (path, file, st, xattrs, hardlinkTo, recalled, where) -> LayerEntry.regular(path,
            st.size(), new ContextFile(file, path, FileStamp.of(st), FileDigests.uncached(),
                memoHex, true, where, false)))) {
      f = (ContextFile) e.content();
      assertEquals(false, f.wantsReadAhead());
      assertEquals(true, f.wantsReadAheadToWrite());
      assertEquals(4, f.readAhead());
    }
    Files.writeString(context.resolve("f"), "else"); // the held bytes are what the write gets
    assertEquals(memoHex, f.knownHex());
    try (InputStream in = f.open()) {
      assertEquals("mine", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
