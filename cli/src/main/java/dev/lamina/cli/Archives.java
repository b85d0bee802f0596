package dev.lamina.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Peeks into archive files to tell their kind. */
final class Archives {
  private Archives() {}

  /** Whether the tar {@code file} has an entry named {@code name} (or {@code ./name}). */
  static boolean hasEntry(Path file, String name) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String n = e.getName();
        if (n.equals(name) || n.equals("./" + name)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
