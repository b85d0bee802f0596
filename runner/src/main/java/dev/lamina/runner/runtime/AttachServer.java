package dev.lamina.runner.runtime;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Where {@code lamina attach} reaches a detached container's terminal: a unix socket the monitor
 * serves while the container runs. Each client gets what the container writes to its terminal
 * from the moment it connects, and sends {@link AttachProtocol} frames: input (passed to the
 * terminal only for a container started with {@code -i}) and window sizes.
 *
 * <p>The socket is {@code attach.sock} in the container's directory, mode 0600, so that it goes
 * with the container even when its monitor was killed; where that path would be too long for a
 * unix socket (108 bytes), it lives in a private 0700 directory under the temporary directory
 * instead. The file {@link #POINTER} in the container's directory names it either way. A client
 * too slow to take the output is disconnected rather than let it hold up the container.
 */
final class AttachServer implements Consumer<byte[]>, AutoCloseable {
  /** The file, in the container's directory, that holds the socket's path. */
  static final String POINTER = "attach-socket";

  /** {@code sizeof(sun_path)} on Linux, its terminating NUL included. */
  private static final int SUN_PATH = 108;

  /** Output chunks a client may fall behind by before it is dropped. */
  private static final int BACKLOG = 1024;

  private static final byte[] END = new byte[0];

  /** How much of the output since the start is kept for a client that asks for it. */
  private static final int HISTORY = 64 * 1024;

  private final ConsoleMaster master;
  private final boolean acceptInput;
  private final Path dir;
  private final Path socket;
  private final Path pointer;
  private final ServerSocketChannel server;
  private final List<Client> clients = new CopyOnWriteArrayList<>();
  /** The output's last {@link #HISTORY} bytes, oldest first; guarded by {@code this}. */
  private final byte[] history = new byte[HISTORY];
  private long written;
  private final CountDownLatch firstClient = new CountDownLatch(1);

  private AttachServer(ConsoleMaster master, boolean acceptInput, Path dir, Path socket,
      Path pointer, ServerSocketChannel s) {
    this.master = master;
    this.acceptInput = acceptInput;
    this.dir = dir;
    this.socket = socket;
    this.pointer = pointer;
    this.server = s;
  }

  /** Serves {@code master} for the container whose directory is {@code containerDir}. */
  static AttachServer open(ConsoleMaster master, boolean acceptInput, Path containerDir)
      throws IOException {
    Path socket = containerDir.toAbsolutePath().resolve("attach.sock");
    Path dir = null;
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length >= SUN_PATH) {
      dir = Files.createTempDirectory(
          "lamina-attach-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      socket = dir.resolve("attach.sock");
    }
    Files.deleteIfExists(socket); // a killed monitor's, from an earlier run
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    AttachServer server =
        new AttachServer(master, acceptInput, dir, socket, containerDir.resolve(POINTER), s);
    try {
      s.bind(UnixDomainSocketAddress.of(socket));
      // Root's alone: whoever may connect may type into the container.
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(server.pointer, socket.toString(), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    daemon(server::acceptLoop, "attach-accept");
    return server;
  }

  /** The socket a running container's monitor serves, named in its directory, if any. */
  static Path socketOf(Path containerDir) throws IOException {
    return Path.of(Files.readString(containerDir.resolve(POINTER), StandardCharsets.UTF_8));
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        Client c = new Client(server.accept());
        daemon(c::readFrames, "attach-input");
        daemon(c::writeOutput, "attach-output");
      } catch (IOException closed) {
        return;
      }
    }
  }

  /** What the container wrote to its terminal, for every client. */
  @Override
  public synchronized void accept(byte[] output) {
    for (int i = Math.max(0, output.length - HISTORY); i < output.length; i++) {
      history[(int) (written++ % HISTORY)] = output[i];
    }
    for (Client c : clients) {
      if (!c.queue.offer(output)) {
        c.drop();
      }
    }
  }

  /**
   * Lets {@code c} have the output from now on, and first what is kept since the start when it
   * asked: under the lock {@link #accept} takes, so that nothing is missed or given twice.
   */
  private synchronized void join(Client c, boolean fromStart) {
    if (fromStart && written > 0) {
      int kept = (int) Math.min(written, HISTORY);
      byte[] past = new byte[kept];
      for (int i = 0; i < kept; i++) {
        past[i] = history[(int) ((written - kept + i) % HISTORY)];
      }
      c.queue.offer(past);
    }
    clients.add(c);
    firstClient.countDown();
  }

  /**
   * Waits until a client has joined, for at most {@code seconds}: a container run in the
   * foreground starts only once this process's own terminal is there to see all of it.
   *
   * @return whether one joined
   */
  boolean awaitFirstClient(long seconds) throws InterruptedException {
    return firstClient.await(seconds, TimeUnit.SECONDS);
  }

  /** Ends every attachment once its client has had all output; no new ones are taken. */
  @Override
  public void close() throws IOException {
    server.close();
    for (Client c : clients) {
      c.queue.offer(END);
    }
    Files.deleteIfExists(pointer);
    Files.deleteIfExists(socket);
    if (dir != null) {
      Files.deleteIfExists(dir);
    }
  }

  /** One attached client: a reader of its frames, and a writer of the output queued for it. */
  private final class Client {
    final SocketChannel channel;
    final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(BACKLOG);

    Client(SocketChannel channel) {
      this.channel = channel;
    }

    void readFrames() {
      try (DataInputStream in = new DataInputStream(SocketStreams.in(channel))) {
        AttachProtocol.Frame hello = AttachProtocol.read(in);
        if (hello.type() != AttachProtocol.HELLO) {
          throw new IOException("an attach client must say hello first");
        }
        if (hello.rows() > 0 && hello.columns() > 0) {
          master.resize(hello.rows(), hello.columns());
        }
        join(this, hello.data()[0] == 1);
        while (true) {
          AttachProtocol.Frame f = AttachProtocol.read(in);
          if (f.type() == AttachProtocol.RESIZE) {
            master.resize(f.rows(), f.columns());
          } else if (acceptInput) {
            master.write(f.data());
          }
        }
      } catch (EOFException detached) {
        // The client went away; its output writer ends with it.
      } catch (IOException e) {
        // A broken client or terminal: drop the client, the container runs on.
      } finally {
        drop();
      }
    }

    void writeOutput() {
      try {
        while (true) {
          byte[] b = queue.take();
          if (b == END) {
            break;
          }
          ByteBuffer buf = ByteBuffer.wrap(b);
          while (buf.hasRemaining()) {
            channel.write(buf);
          }
        }
      } catch (IOException | InterruptedException gone) {
        // The client left.
      } finally {
        drop();
      }
    }

    void drop() {
      clients.remove(this);
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closed either way.
      }
      queue.clear();
      queue.offer(END);
    }
  }
}
