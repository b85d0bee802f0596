package dev.lamina.builder.exec;

import dev.lamina.layerfs.posix.Posix;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code RUN --mount=type=ssh}: a socket of its own, bind-mounted into the step, each of whose
 * connections is relayed to an agent's socket (as BuildKit relays them to its client's agent).
 *
 * <p>Why a relay rather than binding the agent's socket itself: the mount's {@code mode}, {@code
 * uid} and {@code gid} apply to this socket alone, never to the user's agent socket, and the
 * step learns nothing of the host's path. The socket lives in a private 0700 directory under the
 * temporary directory (a Unix socket path must stay under 108 bytes), removed on {@link #close}.
 */
final class SshForward implements Closeable {
  private static final int BUFFER = 16 * 1024;

  private final Path dir;
  private final Path socket;
  private final Path agent;
  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final List<SocketChannel> open = new ArrayList<>();

  private SshForward(Path dir, Path socket, Path agent, ServerSocketChannel server) {
    this.dir = dir;
    this.socket = socket;
    this.agent = agent;
    this.server = server;
    this.acceptor = new Thread(this::acceptLoop, "ssh-forward");
    acceptor.setDaemon(true);
  }

  /** Listens on a new socket, owned by {@code uid:gid} with {@code mode}, relaying to {@code agent}. */
  static SshForward open(Path agent, int mode, int uid, int gid) throws IOException {
    Path dir =
        Files.createTempDirectory(
            "lamina-ssh-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path socket = dir.resolve("agent.sock");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket));
      // Mode and owner before the step can see the socket; the 0700 directory keeps everyone
      // else on the host out in the meantime and after.
      Posix.chmod(socket, mode);
      Posix.lchown(socket, uid, gid);
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);
      throw e;
    }
    SshForward f = new SshForward(dir, socket, agent, server);
    f.acceptor.start();
    return f;
  }

  /** The socket to bind into the step. */
  Path socket() {
    return socket;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      SocketChannel upstream;
      try {
        upstream = SocketChannel.open(UnixDomainSocketAddress.of(agent));
      } catch (IOException agentGone) {
        closeQuietly(client);
        continue;
      }
      synchronized (open) {
        open.add(client);
        open.add(upstream);
      }
      pump(client, upstream, "ssh-forward-out");
      pump(upstream, client, "ssh-forward-in");
    }
  }

  /** Copies {@code from} to {@code to} until either side closes; then closes both. */
  private static void pump(SocketChannel from, SocketChannel to, String name) {
    Thread t =
        new Thread(
            () -> {
              ByteBuffer buf = ByteBuffer.allocate(BUFFER);
              try {
                while (from.read(buf) >= 0) {
                  buf.flip();
                  while (buf.hasRemaining()) {
                    to.write(buf);
                  }
                  buf.clear();
                }
              } catch (IOException closed) {
                // The other direction or close() ended the exchange.
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Nothing to do: the connection is gone either way.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (open) {
      open.forEach(SshForward::closeQuietly);
    }
    try {
      acceptor.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }
}
