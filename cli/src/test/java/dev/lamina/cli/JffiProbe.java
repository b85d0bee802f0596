package dev.lamina.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads jffi and prints the file its native stub was mapped from (a copy in the temporary
 * directory, already deleted, when jffi is not given one), for {@link LauncherTest}.
 */
public final class JffiProbe {
  private JffiProbe() {}

  public static void main(String[] args) throws IOException {
    com.kenai.jffi.MemoryIO.getInstance();
    String stub =
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(l -> l.contains("jffi") && l.contains(".so"))
            .map(l -> l.substring(l.indexOf('/')))
            .findFirst()
            .orElse("none");
    System.out.println("stub: " + stub);
  }
}
