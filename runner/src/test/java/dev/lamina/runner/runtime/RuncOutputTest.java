package dev.lamina.runner.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Lamina reads of runc's output: its {@code state} JSON and its JSON log. */
class RuncOutputTest {
  @TempDir Path tmp;

  @Test
  void runtimeState_fieldsRead_othersIgnored() throws IOException {
    String json =
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"pid\":4242,\"status\":\"running\","
            + "\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":\"2026-01-01T00:00:00Z\","
            + "\"owner\":\"\",\"annotations\":{\"a\":\"b\"}}";
    RuntimeState s = RuncRuntime.runtimeState(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(new RuntimeState("c1", "running", 4242, "/b"), s);
    assertTrue(s.isRunning());
    assertEquals(
        new RuntimeState(null, "stopped", 0, null),
        RuncRuntime.runtimeState("{\"status\":\"stopped\",\"pid\":null}".getBytes()));
  }

  @Test
  void runtimeState_malformed_refused() {
    IOException e =
        assertThrows(
            IOException.class, () -> RuncRuntime.runtimeState("{\"pid\":\"x\"}".getBytes()));
    assertTrue(e.getMessage().startsWith("malformed runtime state JSON: pid: "), e.getMessage());
    assertThrows(IOException.class, () -> RuncRuntime.runtimeState("not json".getBytes()));
  }

  @Test
  void lastError_lastErrorOrFatalEntry() throws IOException {
    Path log = tmp.resolve("log");
    Files.writeString(
        log,
        "{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n"
            + "\n"
            + "{\"level\":\"fatal\",\"msg\":\"exec: \\\"x\\\": not found\"}\n"
            + "{\"level\":\"warning\",\"msg\":\"later, not an error\"}\n");
    assertEquals(Optional.of("exec: \"x\": not found"), RuncRuntime.lastError(log));
  }

  @Test
  void lastError_plainTextLine_takenAsItIs() throws IOException {
    Path log = tmp.resolve("log");
    Files.writeString(log, "{\"level\":\"error\",\"msg\":\"json\"}\n  panic: plain text  \n");
    assertEquals(Optional.of("panic: plain text"), RuncRuntime.lastError(log));
  }

  @Test
  void lastError_noErrors_empty() throws IOException {
    Path log = tmp.resolve("log");
    assertEquals(Optional.empty(), RuncRuntime.lastError(log));
    Files.writeString(log, "{\"level\":\"info\",\"msg\":\"m\"}\n{\"level\":\"error\"}\n");
    assertEquals(Optional.of(""), RuncRuntime.lastError(log));
  }
}
