package dev.lamina.layerfs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ReadAheadInputStreamTest {
  /** A stream below that gives at most {@code piece} bytes a read and counts what it gave. */
  private static final class Below extends InputStream {
    final InputStream in;
    final int piece;
    final AtomicLong given = new AtomicLong();
    final long failAfter;
    final IOException failure = new IOException("disk gone");

    Below(byte[] data, int piece, long failAfter) {
      this.in = new ByteArrayInputStream(data);
      this.piece = piece;
      this.failAfter = failAfter;
    }

    @Override
    public int read() {
      throw new AssertionError("read a byte at a time");
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (given.get() >= failAfter) {
        throw failure;
      }
      int n = in.read(b, off, (int) Math.min(Math.min(len, piece), failAfter - given.get()));
      if (n > 0) {
        given.addAndGet(n);
      }
      return n;
    }
  }

  private static byte[] random(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  @Test
  void everyByteArrivesInOrder_whateverTheSizesOfReadsOnEitherSide() throws Exception {
    for (int size : new int[] {0, 1, 4095, 4096, 4097, 1_000_003}) {
      byte[] data = random(size);
      try (ReadAheadInputStream s =
          ReadAheadInputStream.start(new Below(data, 1000, Long.MAX_VALUE), 4096, 3, "t")) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[7000];
        Random r = new Random(size);
        for (int n; (n = s.read(buf, 0, 1 + r.nextInt(buf.length))) >= 0; ) {
          out.write(buf, 0, n);
        }
        assertArrayEquals(data, out.toByteArray(), "size " + size);
        assertEquals(-1, s.read(), "the end stays the end");
      }
    }
  }

  @Test
  void aFailureBelow_arrivesAfterEveryByteReadBeforeIt() throws Exception {
    byte[] data = random(100_000);
    Below below = new Below(data, 3000, 50_001);
    try (ReadAheadInputStream s = ReadAheadInputStream.start(below, 4096, 2, "t")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[1000];
      IOException e = assertThrows(IOException.class, () -> {
        for (int n; (n = s.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
        }
      });
      assertSame(below.failure, e);
      assertEquals(50_001, out.size());
      assertArrayEquals(java.util.Arrays.copyOf(data, 50_001), out.toByteArray());
    }
  }

  @Test
  void readsAheadAFewChunksOnly_andNothingOnceClosed() throws Exception {
    Below below = new Below(random(10_000_000), 4096, Long.MAX_VALUE);
    ReadAheadInputStream s = ReadAheadInputStream.start(below, 4096, 4, "t");
    assertEquals(0, s.read(new byte[10]) - 10); // one chunk taken, 10 bytes of it read
    long before = -1;
    while (before != below.given.get()) { // until the reading thread waits for room
      before = below.given.get();
      Thread.sleep(50);
    }
    // The queue's 4, the one taken, the one the thread holds.
    assertTrue(before <= 6 * 4096, before + " bytes read ahead");
    s.close();
    long atClose = below.given.get();
    Thread.sleep(100);
    assertEquals(atClose, below.given.get(), "read after close");
    assertThrows(IOException.class, () -> s.read(new byte[1]));
  }

  @Test
  void close_whileTheThreadWaitsToPutAFailure_returns() throws Exception {
    Below below = new Below(random(100_000), 4096, 8192);
    ReadAheadInputStream s = ReadAheadInputStream.start(below, 4096, 1, "t");
    Thread.sleep(100); // the queue full, the failure waiting for room
    s.close();
    assertFalse(Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("t") && t.isAlive()), "the thread ended");
  }
}
