package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The class-data training run: quiet, and it leaves nothing behind. */
class TrainCommandTest {
  private static List<Path> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("lamina-cds-")).toList();
    }
  }

  @Test
  void train_printsNothing_removesItsStore() throws IOException {
    List<Path> before = leftovers();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code;
    try (PrintStream p = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      System.setErr(p);
      code = Main.execute(TrainCommand.NAME);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    assertEquals(0, code, printed.toString(StandardCharsets.UTF_8));
    assertEquals("", printed.toString(StandardCharsets.UTF_8));
    assertEquals(before, leftovers());
  }
}
