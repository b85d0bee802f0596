package dev.lamina.layerfs.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each test is cut off after a minute: a relay that loses a buffer would hang its close. */
@Timeout(60)
class BufferRelayTest {

  // The buffers here are of 4 bytes, each holding the number of the buffer put.
  private static final BufferRelay.Drain<ByteBuffer> NONE = (b, n) -> {};

  private static int numberOf(ByteBuffer b) {
    return b.getInt(0);
  }

  /** Takes a buffer, writes {@code number} into it and puts it. */
  private static void putNumber(BufferRelay<ByteBuffer> relay, int number) throws IOException {
    ByteBuffer b = relay.take();
    b.putInt(0, number);
    relay.put(b, 4);
  }

  /** Releases {@code gate}, from a thread of its own, once {@code thread} waits (in the relay). */
  private static void releaseOnceWaiting(Thread thread, CountDownLatch gate) {
    Thread helper = new Thread(() -> {
      while (thread.getState() != Thread.State.WAITING
          && thread.getState() != Thread.State.TIMED_WAITING) {
        Thread.onSpinWait();
      }
      gate.countDown();
    });
    helper.setDaemon(true);
    helper.start();
  }

  private static void await(CountDownLatch gate) throws IOException {
    try {
      gate.await();
    } catch (InterruptedException e) {
      throw new InterruptedIOException();
    }
  }

  @Test
  void buffers_areWrittenInTheOrderPut_onAnExecutorOfSeveralThreads() throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Integer> written = Collections.synchronizedList(new ArrayList<>());
      BufferRelay<ByteBuffer> relay = BufferRelay.on(pool, 3, () -> ByteBuffer.allocate(4),
          (b, n) -> {
            int number = numberOf(b);
            if (number % 7 == 0) {
              Thread.yield(); // lets a write scheduled behind this one run first, if it could
            }
            written.add(number);
          });

      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        putNumber(relay, i);
        expected.add(i);
      }
      relay.close();

      assertEquals(expected, written);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void buffers_areMadeAsFirstNeeded_andReused_neverMoreThanTheCapacity() throws IOException {
    Set<ByteBuffer> made = Collections.newSetFromMap(new IdentityHashMap<>());
    AtomicInteger writes = new AtomicInteger();
    try (BufferRelay<ByteBuffer> relay = BufferRelay.onThread("relay-test-reuse", 3,
        () -> {
          ByteBuffer b = ByteBuffer.allocate(4);
          made.add(b);
          return b;
        },
        (b, n) -> writes.incrementAndGet())) {
      ByteBuffer first = relay.take();
      relay.put(first, 4);
      relay.awaitWritten();
      assertSame(first, relay.take(), "a written buffer is reused before another is made");
      assertEquals(1, made.size());
      relay.put(first, 4);

      for (int i = 0; i < 200; i++) {
        ByteBuffer b = relay.take();
        assertTrue(made.contains(b));
        relay.put(b, 4);
      }
      relay.awaitWritten();
    }

    assertTrue(made.size() <= 3, made.size() + " buffers made");
    assertEquals(202, writes.get());
  }

  @Test
  void aFailedWrite_stopsEveryLaterWrite_andIsThrownOnce() throws IOException {
    CountDownLatch gate = new CountDownLatch(1);
    IOException full = new IOException("disk full");
    List<Integer> written = Collections.synchronizedList(new ArrayList<>());
    BufferRelay<ByteBuffer> relay = BufferRelay.onThread("relay-test-failure", 4,
        () -> ByteBuffer.allocate(4),
        (b, n) -> {
          if (numberOf(b) == 1) {
            await(gate); // the filler queues 2 and 3 meanwhile
            throw full;
          }
          written.add(numberOf(b));
        });
    for (int i = 0; i < 4; i++) {
      putNumber(relay, i);
    }
    gate.countDown();

    assertSame(full, assertThrows(IOException.class, relay::awaitWritten));
    IOException refused = assertThrows(IOException.class, relay::take);
    assertNotSame(full, refused);
    assertSame(full, refused.getCause());
    assertDoesNotThrow(relay::close); // already thrown: not again
    assertEquals(List.of(0), written);
  }

  @Test
  void aFailureNotYetThrown_isThrownByClose() throws IOException {
    IOException full = new IOException("disk full");
    BufferRelay<ByteBuffer> relay = BufferRelay.onThread("relay-test-close-failure", 2,
        () -> ByteBuffer.allocate(4),
        (b, n) -> {
          throw full;
        });
    putNumber(relay, 0);

    assertSame(full, assertThrows(IOException.class, relay::close));
    assertDoesNotThrow(relay::close);
  }

  @Test
  void close_waitsForEveryBufferPut_andEndsTheRelaysThread() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    List<Integer> written = Collections.synchronizedList(new ArrayList<>());
    List<Thread> drainThreads = Collections.synchronizedList(new ArrayList<>());
    BufferRelay<ByteBuffer> relay = BufferRelay.onThread("relay-test-close", 4,
        () -> ByteBuffer.allocate(4),
        (b, n) -> {
          drainThreads.add(Thread.currentThread());
          await(gate);
          written.add(numberOf(b));
        });
    for (int i = 0; i < 3; i++) {
      putNumber(relay, i);
    }

    releaseOnceWaiting(Thread.currentThread(), gate);
    relay.close();

    assertEquals(List.of(0, 1, 2), written);
    Thread drain = drainThreads.get(0);
    assertEquals("relay-test-close", drain.getName());
    drain.join(60_000); // only a guard against hanging: it ends as soon as it is idle
    assertFalse(drain.isAlive(), "the relay's thread outlives close");
    assertThrows(IOException.class, relay::take);
  }

  @Test
  void anInterruptedFiller_getsInterruptedIoException_andNothingMoreIsWritten() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    List<Integer> written = Collections.synchronizedList(new ArrayList<>());
    BufferRelay<ByteBuffer> relay = BufferRelay.onThread("relay-test-interrupt", 2,
        () -> ByteBuffer.allocate(4),
        (b, n) -> {
          started.countDown();
          await(gate);
          written.add(numberOf(b));
        });
    putNumber(relay, 0);
    putNumber(relay, 1); // both buffers in use: the next take waits
    started.await(); // 0 is being written

    Thread.currentThread().interrupt();
    assertThrows(InterruptedIOException.class, relay::take);
    assertTrue(Thread.interrupted(), "the interrupt is kept");
    gate.countDown();
    relay.close();

    assertEquals(List.of(0), written);
  }

  @Test
  void abort_dropsTheBuffersWaiting_afterTheWriteInProgress() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    List<Integer> written = Collections.synchronizedList(new ArrayList<>());
    BufferRelay<ByteBuffer> relay = BufferRelay.onThread("relay-test-abort", 4,
        () -> ByteBuffer.allocate(4),
        (b, n) -> {
          started.countDown();
          await(gate);
          written.add(numberOf(b));
        });
    for (int i = 0; i < 3; i++) {
      putNumber(relay, i);
    }
    started.await(); // 0 is being written

    releaseOnceWaiting(Thread.currentThread(), gate);
    relay.abort(600_000);

    assertEquals(List.of(0), written);
    assertThrows(IOException.class, () -> putNumber(relay, 3));
  }

  @Test
  void relaysSharingOneThread_eachKeepTheirOrder() throws IOException {
    ExecutorService shared = Executors.newSingleThreadExecutor();
    try {
      List<Integer> a = Collections.synchronizedList(new ArrayList<>());
      List<Integer> b = Collections.synchronizedList(new ArrayList<>());
      BufferRelay<ByteBuffer> first =
          BufferRelay.on(shared, 2, () -> ByteBuffer.allocate(4), (buf, n) -> a.add(numberOf(buf)));
      BufferRelay<ByteBuffer> second =
          BufferRelay.on(shared, 2, () -> ByteBuffer.allocate(4), (buf, n) -> b.add(numberOf(buf)));
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        putNumber(first, i);
        putNumber(second, i);
        expected.add(i);
      }
      first.close();
      second.close();

      assertEquals(expected, a);
      assertEquals(expected, b);
      assertFalse(shared.isShutdown(), "a shared executor is not the relay's to stop");
    } finally {
      shared.shutdown();
    }
  }

  @Test
  void nothingWritten_closeReturnsAtOnce_andNoBufferIsMade() throws IOException {
    AtomicInteger made = new AtomicInteger();
    BufferRelay<ByteBuffer> relay = BufferRelay.onThread("relay-test-empty", 2, () -> {
      made.incrementAndGet();
      return ByteBuffer.allocate(4);
    }, NONE);
    relay.close();
    assertEquals(0, made.get());
  }
}
