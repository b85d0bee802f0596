package dev.lamina.runner.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The console socket on the real kernel, with a plain Java client in the runtime's place. */
class ConsoleSocketTest {
  @Test
  void open_socketInPrivateDirectory_closeRemovesBoth() throws IOException {
    Path path;
    try (ConsoleSocket socket = ConsoleSocket.open()) {
      path = socket.path();
      assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
      assertFalse(Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())));
    }
    assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(path.getParent()));
  }

  @Test
  void receive_connectionWithoutDescriptor_refused() throws IOException {
    try (ConsoleSocket socket = ConsoleSocket.open()) {
      try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        client.connect(UnixDomainSocketAddress.of(socket.path()));
        client.write(ByteBuffer.wrap("/dev/pts/9".getBytes(StandardCharsets.UTF_8)));
      }
      IOException e =
          assertThrows(IOException.class, () -> socket.receiveDescriptor(Duration.ofSeconds(5)));
      assertTrue(e.getMessage().contains("without a terminal"), e.getMessage());
    }
  }

  @Test
  void receive_severalDescriptors_firstKeptOthersClosed() throws Exception {
    Path python = Requirements.tool("python3");
    String sender =
        String.join(
            "\n",
            "import os, socket, sys",
            "s = socket.socket(socket.AF_UNIX)",
            "s.connect(sys.argv[1])",
            "fds = [os.open('/dev/null', os.O_RDONLY) for _ in range(3)]",
            "socket.send_fds(s, [b'/dev/pts/9'], fds)",
            "s.close()");
    try (ConsoleSocket socket = ConsoleSocket.open()) {
      Process p =
          new ProcessBuilder(python.toString(), "-c", sender, socket.path().toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), output);
      long before = openDescriptors();
      int fd = socket.receiveDescriptor(Duration.ofSeconds(5));
      try {
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
        assertEquals(before + 1, openDescriptors());
      } finally {
        ConsoleCalls.get().close(fd);
      }
      assertEquals(before, openDescriptors());
    }
  }

  /**
   * Descriptors of this process open on /dev/null, which is what the sender sends: counting all
   * descriptors would also count those other threads open and close meanwhile (the sender's
   * pipes, closed when the process is reaped).
   */
  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(ConsoleSocketTest::isDevNull).count();
    }
  }

  private static boolean isDevNull(Path fd) {
    try {
      return Files.readSymbolicLink(fd).equals(Path.of("/dev/null"));
    } catch (IOException e) {
      return false; // closed meanwhile
    }
  }

  @Test
  void receive_nothingConnects_timesOut() throws IOException {
    try (ConsoleSocket socket = ConsoleSocket.open()) {
      IOException e =
          assertThrows(
              IOException.class, () -> socket.receiveDescriptor(Duration.ofMillis(100)));
      assertTrue(e.getMessage().contains("did not send"), e.getMessage());
    }
  }

  @Test
  void exitCode_fromWaitStatus() {
    assertEquals(3, ConsoleMaster.exitCode(3 << 8));
    assertEquals(137, ConsoleMaster.exitCode(9));
    assertEquals(143, ConsoleMaster.exitCode(15 | 0x80)); // with a core dump flag
  }
}
