package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body written as it is produced: the producer writes to this stream, the HTTP client
 * reads from it as a {@link Flow.Publisher}, and at most {@value #BUFFERS} buffers of {@value
 * #BUFFER_SIZE} bytes wait between them (the producer blocks when the client falls behind).
 *
 * <p>Only one subscriber is served: a body that cannot be replayed must not be sent twice. When
 * the exchange ends early ({@link #abort}) the producer's next write fails instead of blocking.
 */
final class StreamingBody extends OutputStream implements Flow.Publisher<ByteBuffer> {
  static final int BUFFER_SIZE = 256 * 1024;
  static final int BUFFERS = 8;
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private final BlockingQueue<ByteBuffer> queue = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final AtomicLong demand = new AtomicLong();
  private final AtomicInteger drains = new AtomicInteger();
  private volatile Flow.Subscriber<? super ByteBuffer> subscriber;
  private volatile Throwable failure;
  private volatile boolean done;
  private byte[] buffer = new byte[BUFFER_SIZE];
  private int fill;
  private boolean closed;

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
    Objects.requireNonNull(s, "subscriber");
    synchronized (this) {
      if (subscriber != null) {
        s.onSubscribe(new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {}
        });
        s.onError(new IOException("a streamed upload body cannot be sent twice"));
        return;
      }
      subscriber = s;
    }
    s.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {
        if (n <= 0) {
          abort(new IllegalArgumentException("non-positive request " + n));
          return;
        }
        demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        drain();
      }

      @Override
      public void cancel() {
        abort(new IOException("the upload was cancelled"));
      }
    });
    drain();
  }

  /** Hands queued buffers to the subscriber while it wants them; one thread at a time. */
  private void drain() {
    if (drains.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Flow.Subscriber<? super ByteBuffer> s = subscriber;
      while (s != null && !done) {
        Throwable f = failure;
        if (f != null) {
          done = true;
          s.onError(f);
          break;
        }
        if (demand.get() == 0) {
          break;
        }
        ByteBuffer b = queue.poll();
        if (b == null) {
          break;
        }
        if (b == END) {
          done = true;
          s.onComplete();
          break;
        }
        demand.decrementAndGet();
        s.onNext(b);
      }
      missed = drains.addAndGet(-missed);
    } while (missed != 0);
  }

  /** Whether the whole body, to its end, has gone to the subscriber. */
  boolean delivered() {
    return done && failure == null;
  }

  /** Ends the exchange from either side: the producer's next write fails with {@code why}. */
  void abort(Throwable why) {
    if (failure == null) {
      failure = why;
    }
    queue.clear();
    drain();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("upload body already closed");
    }
    while (len > 0) {
      int n = Math.min(len, BUFFER_SIZE - fill);
      System.arraycopy(b, off, buffer, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == BUFFER_SIZE) {
        enqueue(ByteBuffer.wrap(buffer));
        buffer = new byte[BUFFER_SIZE];
        fill = 0;
      }
    }
  }

  /** Ends the body: what is buffered goes out, then the end. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (fill > 0) {
      enqueue(ByteBuffer.wrap(buffer, 0, fill));
    }
    buffer = null;
    enqueue(END);
  }

  private void enqueue(ByteBuffer b) throws IOException {
    try {
      while (true) {
        checkFailure();
        if (queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort(new InterruptedIOException("upload interrupted"));
      throw new InterruptedIOException("upload interrupted");
    }
    drain();
    checkFailure();
  }

  private void checkFailure() throws IOException {
    Throwable f = failure;
    if (f != null) {
      throw f instanceof IOException io
          ? new IOException(io.getMessage(), io)
          : new IOException("upload failed: " + f, f);
    }
  }
}
