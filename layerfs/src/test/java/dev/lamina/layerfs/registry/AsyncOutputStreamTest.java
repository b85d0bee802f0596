package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AsyncOutputStreamTest {

  @Test
  void whatIsWritten_reachesTheStreamBelowInOrder_throughReusedBuffers() throws IOException {
    byte[] data = new byte[(AsyncOutputStream.BUFFERS + 5) * AsyncOutputStream.BUFFER_SIZE + 123];
    new Random(7).nextBytes(data);
    AtomicBoolean closed = new AtomicBoolean();
    ByteArrayOutputStream below = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        Thread.yield(); // slower than the writer at times: buffers wait, then are reused
        super.write(b, off, len);
      }

      @Override
      public void close() {
        closed.set(true);
      }
    };

    AsyncOutputStream out = new AsyncOutputStream(below, "async-test-order");
    Random sizes = new Random(3);
    for (int off = 0; off < data.length; ) {
      int n = Math.min(data.length - off, 1 + sizes.nextInt(100_000));
      out.write(data, off, n);
      off += n;
      if (sizes.nextInt(10) == 0) {
        out.flush();
      }
    }
    out.close();

    assertArrayEquals(data, below.toByteArray());
    assertTrue(closed.get(), "close closes the stream below");
  }

  @Test
  void aFailureBelow_isThrownByALaterWriteOrClose() throws IOException {
    IOException broken = new IOException("connection reset");
    AsyncOutputStream out = new AsyncOutputStream(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw broken;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw broken;
      }
    }, "async-test-failure");
    out.write(new byte[10]);

    assertSame(broken, assertThrows(IOException.class, out::close));
  }

  @Test
  void abort_dropsWhatWaits() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger writes = new AtomicInteger();
    AsyncOutputStream out = new AsyncOutputStream(new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        writes.incrementAndGet();
        writing.countDown();
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "async-test-abort");
    out.write(new byte[AsyncOutputStream.BUFFER_SIZE]); // the first buffer: being written
    writing.await();
    out.write(new byte[3 * AsyncOutputStream.BUFFER_SIZE]); // three more wait

    Thread aborting = new Thread(out::abort);
    aborting.start();
    while (aborting.getState() != Thread.State.TIMED_WAITING && aborting.isAlive()) {
      Thread.onSpinWait();
    }
    gate.countDown();
    aborting.join();

    assertEquals(1, writes.get());
    assertThrows(IOException.class, () -> out.write(1));
  }
}
