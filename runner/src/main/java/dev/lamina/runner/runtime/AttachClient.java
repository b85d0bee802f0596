package dev.lamina.runner.runtime;

import dev.lamina.layerfs.posix.NativeFunctions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A connection to a running container through its monitor, conmon: the container's output from
 * now on, input for its stdin (or terminal), and its terminal's window size.
 *
 * <p>conmon's attach socket is a packet socket ({@code SOCK_SEQPACKET}), which Java's channels do
 * not open. Each packet it sends is one read of the container's output, its first byte naming the
 * stream ({@link #STDOUT}, {@link #STDERR}); each packet it receives is written to the container's
 * stdin as it is. Window sizes go through the container's control FIFO instead, one line {@code
 * "1 ROWS COLUMNS"} each.
 */
public final class AttachClient implements AutoCloseable {
  /** conmon's tag of output from the container's stdout (or its terminal). */
  public static final int STDOUT = 2;
  /** conmon's tag of output from the container's stderr. */
  public static final int STDERR = 3;

  /** {@code sizeof(sun_path)} on Linux, its terminating NUL included. */
  private static final int SUN_PATH = 108;
  /** More than conmon's largest packet (its 8 KiB output buffer and the stream byte). */
  private static final int PACKET = 64 * 1024;
  /** What one input packet carries at most. */
  private static final int INPUT_PACKET = 8192;

  private final SocketCalls calls = SocketCalls.get();
  private final int fd;
  private final Path control;
  private volatile boolean closed;

  /** Output of one stream, as conmon sent it. */
  public record Chunk(int stream, byte[] data) {}

  private AttachClient(int fd, Path control) {
    this.fd = fd;
    this.control = control;
  }

  /**
   * Gets ready to {@link #connect} soon, in the background: for a caller that waits meanwhile
   * (for conmon to create the container).
   */
  public static void prepare() {
    NativeFunctions.loadInBackground();
  }

  /**
   * Connects to the attach socket {@code socket} of a container whose control FIFO is {@code
   * control}.
   *
   * @throws IOException when nothing serves it (the container is not running)
   */
  public static AttachClient connect(Path socket, Path control) throws IOException {
    byte[] name = socket.toString().getBytes(StandardCharsets.UTF_8);
    if (name.length >= SUN_PATH) {
      throw new IOException("attach socket path too long: " + socket);
    }
    SocketCalls calls = SocketCalls.get();
    int fd =
        calls.socket(
            SocketCalls.AF_UNIX, SocketCalls.SOCK_SEQPACKET | SocketCalls.SOCK_CLOEXEC, 0);
    int length = 2 + SUN_PATH;
    long address = calls.memory.allocateMemory(length, true);
    try {
      calls.memory.putShort(address, (short) SocketCalls.AF_UNIX);
      calls.memory.putByteArray(address + 2, name, 0, name.length);
      calls.connect(fd, address, length);
    } catch (IOException e) {
      calls.close(fd);
      throw new IOException("cannot attach: the container's monitor does not answer ("
          + e.getMessage() + ")", e);
    } finally {
      calls.memory.freeMemory(address);
    }
    return new AttachClient(fd, control);
  }

  /**
   * The next output the container wrote; null at its end (the container exited, or {@link
   * #close} was called).
   */
  public Chunk read() throws IOException {
    long buf = calls.memory.allocateMemory(PACKET, false);
    try {
      while (!closed) {
        long n = calls.read(fd, buf, PACKET);
        if (n < 0) {
          if (calls.errno() == SocketCalls.EINTR) {
            continue;
          }
          if (closed) {
            return null;
          }
          throw calls.failure("read(attach socket)");
        }
        if (n == 0) {
          return null;
        }
        if (n == 1) {
          continue; // a stream tag with nothing after it
        }
        byte[] data = new byte[(int) n - 1];
        calls.memory.getByteArray(buf + 1, data, 0, data.length);
        return new Chunk(calls.memory.getByte(buf), data);
      }
      return null;
    } finally {
      calls.memory.freeMemory(buf);
    }
  }

  /** All output as one stream, whatever its source (a terminal has one). */
  public InputStream output() {
    return new InputStream() {
      private byte[] pending = new byte[0];
      private int at;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        while (at == pending.length) {
          Chunk c = AttachClient.this.read();
          if (c == null) {
            return -1;
          }
          pending = c.data();
          at = 0;
        }
        int n = Math.min(len, pending.length - at);
        System.arraycopy(pending, at, b, off, n);
        at += n;
        return n;
      }
    };
  }

  /**
   * Copies the output to {@code out} and {@code err} by stream until the container's end,
   * flushing each chunk. One that can no longer be written stops receiving, and the output is
   * still read to its end.
   */
  public void copyOutput(OutputStream out, OutputStream err) throws IOException {
    OutputStream[] to = {out, err};
    for (Chunk c; (c = read()) != null; ) {
      int i = c.stream() == STDERR ? 1 : 0;
      if (to[i] != null) {
        try {
          to[i].write(c.data());
          to[i].flush();
        } catch (IOException gone) {
          to[i] = null;
        }
      }
    }
  }

  /** Input for the container's stdin or terminal. */
  public synchronized void type(byte[] b, int off, int len) throws IOException {
    long buf = calls.memory.allocateMemory(Math.max(1, Math.min(len, INPUT_PACKET)), false);
    try {
      while (len > 0) {
        int n = Math.min(len, INPUT_PACKET);
        calls.memory.putByteArray(buf, b, off, n);
        long w = calls.write(fd, buf, n);
        if (w < 0) {
          if (calls.errno() == SocketCalls.EINTR) {
            continue;
          }
          throw calls.failure("write(attach socket)");
        }
        off += n;
        len -= n;
      }
    } finally {
      calls.memory.freeMemory(buf);
    }
  }

  /**
   * Copies {@code in} to the container's stdin until its end, then ends the container's stdin
   * (conmon closes it when its client stops sending).
   */
  public void copyInput(InputStream in) {
    byte[] b = new byte[INPUT_PACKET];
    try (in) {
      for (int n; (n = in.read(b)) > 0; ) {
        type(b, 0, n);
      }
    } catch (IOException gone) {
      // The container ended, or this side's input failed: its stdin ends either way.
    }
    calls.shutdown(fd, SocketCalls.SHUT_WR);
  }

  /** The window size of the container's terminal. */
  public void resize(int rows, int columns) throws IOException {
    if (rows <= 0 || columns <= 0) {
      return;
    }
    // conmon holds the FIFO open for reading, so this open never waits.
    Files.writeString(control, "1 " + rows + " " + columns + "\n", StandardCharsets.US_ASCII,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Wakes a reader blocked on the socket before the descriptor goes.
    calls.shutdown(fd, SocketCalls.SHUT_RDWR);
    calls.close(fd);
  }
}
