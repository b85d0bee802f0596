package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.exec.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A failed step's message is cut as the final error line is; its output is not touched. */
class ShortMessagesTest {
  @Test
  void failedAndMessage_areCutPerLine_outputIsNot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Progress p = ShortMessages.of(Progress.plain(out));
    Progress.Step step = p.begin("[1/1] RUN x");
    String huge = "process \"/bin/sh -c echo " + "a".repeat(1 << 20) + "\" did not complete";
    step.log("b".repeat(5000));
    step.failed(huge);
    p.message("warning one\nwarning two");
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("b".repeat(5000)), "output lines are the step's own");
    assertTrue(printed.contains("characters cut"), printed.substring(0, 300));
    assertTrue(printed.contains("\" did not complete"));
    assertTrue(printed.length() < 5000 + 3 * Excerpts.MAX_LINE, "length " + printed.length());
    assertTrue(printed.contains("warning one\nwarning two\n"), printed);
    assertEquals(-1, printed.indexOf("\\x0a"));
  }
}
