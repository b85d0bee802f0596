package dev.lamina.runner.runtime;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A connection to a running container's terminal, through its monitor ({@link AttachServer}):
 * the terminal's output from now on, and a way to type and to say the window's size.
 */
public final class AttachClient implements AutoCloseable {
  private final SocketChannel channel;
  private final DataOutputStream out;

  private AttachClient(SocketChannel channel) {
    this.channel = channel;
    this.out = new DataOutputStream(new BufferedOutputStream(SocketStreams.out(channel)));
  }

  /**
   * Connects to the terminal of the container whose directory is {@code containerDir}: its
   * output from now on, or with {@code fromStart} all since the container started (as much as its
   * monitor keeps) and then on. {@code rows} and {@code columns} (0 when unknown) are the
   * client's window size, which the terminal takes at once.
   *
   * @throws IOException when its monitor serves none (the container is not running, or has no
   *     terminal)
   */
  public static AttachClient connect(Path containerDir, boolean fromStart, int rows, int columns)
      throws IOException {
    Path socket;
    try {
      socket = AttachServer.socketOf(containerDir);
    } catch (NoSuchFileException e) {
      throw new IOException("the container has no terminal to attach to (run it with -dt)");
    }
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot attach: the container's monitor does not answer ("
          + e.getMessage() + ")", e);
    }
    AttachClient c = new AttachClient(ch);
    try {
      AttachProtocol.writeHello(c.out, fromStart, rows, columns);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return c;
  }

  /** The terminal's output; ends when the container does (or on {@link #close}). */
  public InputStream output() {
    return SocketStreams.in(channel);
  }

  /** Keystrokes for the terminal (ignored by a container started without {@code -i}). */
  public synchronized void type(byte[] b, int off, int len) throws IOException {
    AttachProtocol.writeInput(out, b, off, len);
  }

  /** The client's window size, for the container's terminal. */
  public synchronized void resize(int rows, int columns) throws IOException {
    AttachProtocol.writeResize(out, rows, columns);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
