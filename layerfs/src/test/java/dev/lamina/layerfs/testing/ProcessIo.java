package dev.lamina.layerfs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this process has read, by the kernel's count: for tests that something was not read. */
public final class ProcessIo {
  private ProcessIo() {}

  /** Bytes this process has read so far (any file, pipe or socket): its /proc/self/io rchar. */
  public static long bytesRead() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("rchar:")) {
        return Long.parseLong(line.substring(6).trim());
      }
    }
    throw new IOException("no rchar in /proc/self/io");
  }
}
