package dev.lamina.layerfs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkingOutputStreamTest {

  /** Keeps every chunk handed on, as given; refuses writes once {@code closed}. */
  private static final class Recorder extends ChunkingOutputStream {
    final List<byte[]> chunks = new ArrayList<>();
    boolean closed;

    Recorder(int chunkSize) {
      super(chunkSize);
    }

    @Override
    protected void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("closed");
      }
    }

    @Override
    protected void emit(byte[] chunk) {
      chunks.add(chunk);
    }

    /** Hands on the rest, as the streams built on this do at their end. */
    void end() throws IOException {
      emitBuffered();
      closed = true;
    }

    List<Integer> sizes() {
      return chunks.stream().map(c -> c.length).toList();
    }

    byte[] joined() {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      chunks.forEach(all::writeBytes);
      return all.toByteArray();
    }
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void write_partialLastChunk_heldUntilEmitted_thenHandedOnAlone() throws IOException {
    Recorder r = new Recorder(4);
    byte[] data = bytes(10, 1);
    r.write(data);
    assertEquals(List.of(4, 4), r.sizes());
    assertEquals(2, r.buffered());

    r.end();
    assertEquals(List.of(4, 4, 2), r.sizes());
    assertArrayEquals(data, r.joined());
    assertEquals(0, r.buffered());
  }

  @Test
  void write_exactMultiple_handsOnEveryChunkAtOnce_restIsEmpty() throws IOException {
    Recorder r = new Recorder(4);
    byte[] data = bytes(8, 2);
    r.write(data, 0, 4);
    r.write(data, 4, 4);
    assertEquals(List.of(4, 4), r.sizes());
    assertEquals(0, r.buffered());

    r.end();
    assertEquals(List.of(4, 4, 0), r.sizes(), "the rest is handed on even when empty");
    assertArrayEquals(data, r.joined());
  }

  @Test
  void write_singleBytes_gatheredIntoChunks() throws IOException {
    Recorder r = new Recorder(3);
    byte[] data = bytes(7, 3);
    for (byte b : data) {
      r.write(b & 0xff);
    }
    assertEquals(List.of(3, 3), r.sizes());
    assertEquals(1, r.buffered());

    r.end();
    assertArrayEquals(data, r.joined());
  }

  @Test
  void write_largerThanAChunk_splitAcrossChunks_fromItsOffset() throws IOException {
    Recorder r = new Recorder(4);
    byte[] data = bytes(20, 4);
    r.write(data, 0, 1); // a chunk already started
    r.write(data, 1, 13); // completes it, fills two more, starts a fourth
    assertEquals(List.of(4, 4, 4), r.sizes());
    assertEquals(2, r.buffered());
    r.write(data, 14, 6);

    r.end();
    assertEquals(List.of(4, 4, 4, 4, 4, 0), r.sizes());
    assertArrayEquals(data, r.joined());
  }

  @Test
  void write_anyMixOfSizes_handsOnTheBytesInOrder() throws IOException {
    Random random = new Random(5);
    byte[] data = bytes(100_000, 6);
    Recorder r = new Recorder(4096);
    int pos = 0;
    while (pos < data.length) {
      if (random.nextInt(8) == 0) {
        r.write(data[pos++]);
        continue;
      }
      int n = Math.min(data.length - pos, random.nextInt(10_000));
      r.write(data, pos, n);
      pos += n;
    }
    r.end();
    assertArrayEquals(data, r.joined());
    List<Integer> sizes = r.sizes();
    assertEquals(List.of(4096), sizes.subList(0, sizes.size() - 1).stream().distinct().toList());
    assertEquals(data.length % 4096, sizes.get(sizes.size() - 1));
  }

  @Test
  void emit_chunksAreTheConsumers_neverFilledAgain() throws IOException {
    Recorder r = new Recorder(2);
    r.write(new byte[] {1, 2, 3, 4});
    byte[] first = r.chunks.get(0);
    assertNotSame(first, r.chunks.get(1));
    r.write(new byte[] {5, 6});
    assertArrayEquals(new byte[] {1, 2}, first);
    assertArrayEquals(new byte[] {3, 4}, r.chunks.get(1));
  }

  @Test
  void write_refused_gathersNothing() throws IOException {
    Recorder r = new Recorder(4);
    r.write(new byte[] {1});
    r.closed = true;
    assertThrows(IOException.class, () -> r.write(new byte[] {2, 3, 4, 5}));
    assertThrows(IOException.class, () -> r.write(6));
    assertEquals(1, r.buffered());
    assertThrows(IndexOutOfBoundsException.class, () -> r.write(new byte[2], 1, 2));
    assertEquals(1, r.buffered());
    assertEquals(List.of(), r.sizes());
  }

  @Test
  void chunkSize_mustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new Recorder(0));
  }

  @Test
  void emitBuffered_midStream_thenFillsFromTheStart() throws IOException {
    Recorder r = new Recorder(4);
    r.write(new byte[] {1, 2, 3});
    r.emitBuffered(); // as a flush does
    r.write(new byte[] {4, 5, 6, 7, 8});
    assertEquals(List.of(3, 4), r.sizes());
    assertArrayEquals(new byte[] {4, 5, 6, 7}, r.chunks.get(1));
    assertEquals(1, r.buffered());
    assertEquals(Arrays.toString(new byte[] {1, 2, 3}), Arrays.toString(r.chunks.get(0)));
  }
}
