package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Command lines answered without picocli give what picocli's full parse gives. */
class QuickCommandsTest {
  /** What a run printed, and its exit code. */
  private record Ran(Integer code, String out, String err) {}

  @ParameterizedTest
  @ValueSource(
      strings = {
        "version",
        "--debug version",
        "--root /tmp/x version",
        "--root=/tmp/x version",
        "--root= version",
        "--root /tmp/x --debug version",
        "--debug --network-config-dir /tmp/n --root=rel/dir version",
        "--help",
        "-h",
        "--debug --root /tmp/x --help",
        "--network-config-dir=/tmp/n -h",
      })
  void handledShape_printsWhatPicocliPrints(String line) {
    String[] args = line.split(" ");
    Ran quick = ran(() -> QuickCommands.run(args));
    assertNotNull(quick.code(), "not taken: " + line);
    Ran full = ran(() -> Main.execute(CommandModels.load(), args));
    assertEquals(full, quick, line);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "version --format json",
        "version extra",
        "--debug --debug version",
        "--root a --root b version",
        "--root --debug version",
        "--debug=true version",
        "--root",
        "-- version",
        "@args",
        "--verbose version",
        "ps",
        "--help --debug",
        "--root --help",
        "-h -h",
        "version --help",
        "-V",
      })
  void otherShape_goesThroughPicocli(String line) {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");
    assertNull(ran(() -> QuickCommands.run(args)).code(), line);
  }

  private static Ran ran(Supplier<Integer> run) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      Integer code = run.get();
      return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
