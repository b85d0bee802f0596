package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.ProcessIo;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {
  @TempDir Path dir;

  private Path tar(String name, String... entries) throws Exception {
    Path file = dir.resolve(name);
    try (OutputStream raw = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (String e : entries) {
        byte[] content = e.startsWith("big:") ? new byte[64 << 20]
            : e.endsWith("/") ? new byte[0] : e.getBytes(StandardCharsets.UTF_8);
        String entryName = e.startsWith("big:") ? e.substring(4) : e;
        TarArchiveEntry entry = new TarArchiveEntry(entryName);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  @Test
  void anEntryAfterALargeOne_isFound_withoutReadingTheLargeOnesContent() throws Exception {
    Path file = tar("oci.tar", "big:blobs/sha256/layer", "index.json", "oci-layout");
    long before = ProcessIo.bytesRead();

    assertTrue(Archives.hasEntry(file, "oci-layout"));

    long read = ProcessIo.bytesRead() - before;
    assertTrue(read < 8 << 20, "bytes read to find it: " + read);
  }

  @Test
  void aDockerArchive_hasNoOciLayout() throws Exception {
    assertFalse(Archives.hasEntry(
        tar("docker.tar", "big:blobs/sha256/layer", "manifest.json", "repositories"),
        "oci-layout"));
    assertFalse(Archives.hasEntry(tar("dir.tar", "oci-layout/"), "oci-layout"));
  }

  @Test
  void gnuTarsDotSlashNames_areFound() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("index.json"), "{}");
    Files.writeString(src.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Path file = dir.resolve("gnu.tar");
    Process p = new ProcessBuilder("tar", "-C", src.toString(), "-cf", file.toString(), ".")
        .inheritIO().start();
    assertTrue(p.waitFor() == 0);

    assertTrue(Archives.hasEntry(file, "oci-layout"));
  }

  @Test
  void notAPlainTar_hasNoEntries() throws Exception {
    Path plain = tar("plain.tar", "oci-layout");
    Path gz = dir.resolve("oci.tar.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(plain));
    }
    byte[] noise = new byte[4096];
    new Random(3).nextBytes(noise);
    Path random = Files.write(dir.resolve("noise"), noise);
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    Path truncated = Files.write(dir.resolve("short"), new byte[100]);

    assertTrue(Archives.hasEntry(plain, "oci-layout"));
    assertFalse(Archives.hasEntry(gz, "oci-layout"));
    assertFalse(Archives.hasEntry(random, "oci-layout"));
    assertFalse(Archives.hasEntry(empty, "oci-layout"));
    assertFalse(Archives.hasEntry(truncated, "oci-layout"));
    assertFalse(Archives.hasEntry(dir.resolve("missing"), "oci-layout"));
  }
}
