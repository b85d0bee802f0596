package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that writes a file the user names ({@code save -o}, {@code export -o}, {@code push}
 * to an archive, {@code build -o}, {@code --iidfile}) writes through a symlink, a FIFO or a
 * character device instead of replacing it, as docker does. Nodes are made under a temp dir.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputPathsTest {
  @TempDir static Path tmp;
  private Cli lamina;
  private Path context;

  @BeforeAll
  void busybox() throws Exception {
    Requirements.root();
    lamina = new Cli(tmp.resolve("store"));
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    lamina.run("import", rootfs.toString(), "busybox").ok();
    lamina.run("create", "--name", "ctr", "busybox", "true").ok();
    context = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nLABEL out=yes\n");
  }

  /** The commands, each with {@code %s} where the output path goes. */
  private List<String[]> writers() {
    return List.of(
        new String[] {"save", "-o", "%s", "busybox"},
        new String[] {"save", "--format", "oci-archive", "-o", "%s", "busybox"},
        new String[] {"push", "busybox", "docker-archive:%s"},
        new String[] {"push", "busybox", "oci-archive:%s"},
        new String[] {"export", "-o", "%s", "ctr"},
        new String[] {"build", "-q", "-o", "type=oci,dest=%s", context.toString()},
        new String[] {"build", "-q", "-t", "out", "-o", "type=docker,dest=%s", context.toString()},
        new String[] {"build", "-q", "-t", "out", "--iidfile", "%s", context.toString()});
  }

  private static String[] at(String[] command, Path path) {
    List<String> out = new ArrayList<>();
    for (String a : command) {
      out.add(a.replace("%s", path.toString()));
    }
    return out.toArray(String[]::new);
  }

  @Test
  void characterDevice_staysADevice() throws IOException {
    Path devNull = tmp.resolve("null");
    Posix.mknod(devNull, FileStat.S_IFCHR | 0666, 1, 3);
    for (String[] command : writers()) {
      lamina.run(at(command, devNull)).ok();
      assertEquals(FileStat.S_IFCHR, Posix.lstat(devNull).type(), String.join(" ", command));
    }
  }

  @Test
  void symlink_isWrittenThrough() throws IOException {
    Path target = tmp.resolve("target");
    Path link = tmp.resolve("link");
    Files.createSymbolicLink(link, target);
    for (String[] command : writers()) {
      Files.deleteIfExists(target);
      lamina.run(at(command, link)).ok();
      String what = String.join(" ", command);
      assertTrue(Files.isSymbolicLink(link), what);
      assertTrue(Files.size(target) > 0, what);
    }
  }

  @Test
  void fifo_reachesItsReader() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Posix.mknod(fifo, FileStat.S_IFIFO | 0600, 0, 0);
    for (String[] command : writers()) {
      CompletableFuture<Integer> read =
          CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
              return in.readAllBytes().length;
            } catch (IOException e) {
              throw new RuntimeException(e);
            }
          });
      String what = String.join(" ", command);
      try {
        lamina.run(at(command, fifo)).ok();
      } finally {
        // A writer that never opened the FIFO would leave the reader blocked: release it. Opened
        // read-write, which never blocks on Linux: a write-only open would wait forever for a
        // reader that has just finished (isDone can still be false right after its last read).
        if (!read.isDone()) {
          FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        }
      }
      assertTrue(read.get(60, TimeUnit.SECONDS) > 0, what);
      assertEquals(FileStat.S_IFIFO, Posix.lstat(fifo).type(), what);
    }
  }
}
