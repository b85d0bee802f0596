package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.OpenDescriptors;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files handed over to the write-behind thread get exactly their bytes, owner, mode and times,
 * across batches; its first failure reaches the caller; and every descriptor is closed, whatever
 * failed.
 */
class FileWriteBehindTest {
  @TempDir Path dir;

  private static byte[] c(String name) {
    byte[] b = FileNames.encode(name);
    return Arrays.copyOf(b, b.length + 1);
  }

  private static FileWriteBehind start() {
    FileWriteBehind w = FileWriteBehind.start("test-files",
        (file, uid, gid, e) -> new IOException("owner of " + file + ": " + e.getMessage(), e));
    assertNotNull(w, "jffi's calls (else extraction writes files itself)");
    return w;
  }

  /** Descriptors this process holds open on files under {@code under}. */
  private static long openUnder(Path under) throws IOException {
    return OpenDescriptors.under(under).size();
  }

  @Test
  void add_manyFilesAcrossBatches_eachGetsItsBytesOwnerModeAndTimes() throws Exception {
    Requirements.root();
    Random random = new Random(11);
    int files = 700; // more than two batches by count, and several by bytes
    byte[][] contents = new byte[files][];
    try (TargetDirectory t = TargetDirectory.open(dir); FileWriteBehind w = start()) {
      for (int i = 0; i < files; i++) {
        contents[i] = new byte[i == 5 ? FileWriteBehind.BATCH_BYTES : random.nextInt(3000)];
        random.nextBytes(contents[i]);
        TargetDirectory.NewFile f = t.create(c("f" + i), dir.resolve("f" + i));
        w.add(f, new ByteArrayInputStream(contents[i]), contents[i].length, true, 1000 + i,
            2000 + i, i % 2 == 0 ? 06755 : 0640, 1_000_000_000L + i, i);
      }
      w.flush();
      for (int i = 0; i < files; i++) {
        Path p = dir.resolve("f" + i);
        assertArrayEquals(contents[i], Files.readAllBytes(p), p.toString());
        FileStat st = Posix.lstat(p);
        assertEquals(1000 + i, st.uid());
        assertEquals(2000 + i, st.gid());
        // After the owner: chown clears setuid and setgid.
        assertEquals(i % 2 == 0 ? 06755 : 0640, st.mode() & 07777);
        assertEquals(1_000_000_000L + i,
            Files.getLastModifiedTime(p).toInstant().getEpochSecond());
        assertEquals(i, Files.getLastModifiedTime(p).toInstant().getNano());
      }
    }
    assertEquals(0, openUnder(dir));
  }

  @Test
  void add_fullDisk_failureReachesTheCaller_andEveryFileIsClosed() throws Exception {
    Requirements.root();
    Path small = Files.createDirectory(dir.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString());
    try {
      byte[] content = new byte[16 * 1024];
      FileWriteBehind w = start();
      IOException e;
      try (TargetDirectory t = TargetDirectory.open(small)) {
        e = assertThrows(IOException.class, () -> {
          for (int i = 0; i < 64; i++) {
            TargetDirectory.NewFile f = t.create(c("f" + i), small.resolve("f" + i));
            w.add(f, new ByteArrayInputStream(content), content.length, false, 0, 0, 0644, 0,
                0);
          }
          w.flush();
        });
      } finally {
        assertThrows(IOException.class, w::close); // told again, not forgotten
      }
      assertTrue(e.getMessage().contains("write"), e.getMessage());
      assertEquals(0, openUnder(small));
    } finally {
      run("umount", small.toString());
    }
  }

  @Test
  void add_dataEndingEarly_closesTheFile() throws Exception {
    Requirements.root();
    try (TargetDirectory t = TargetDirectory.open(dir); FileWriteBehind w = start()) {
      TargetDirectory.NewFile f = t.create(c("short"), dir.resolve("short"));
      assertThrows(IOException.class,
          () -> w.add(f, new ByteArrayInputStream(new byte[10]), 20, false, 0, 0, 0644, 0, 0));
    }
    assertEquals(0, openUnder(dir));
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", command));
  }
}
