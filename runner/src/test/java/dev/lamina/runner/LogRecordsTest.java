package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The k8s-file log conmon writes, read back as the output it holds. */
class LogRecordsTest {
  @TempDir Path tmp;

  private static final String LOG =
      "2026-12-07T09:11:21.337068382+00:00 stdout F one\n"
          + "2026-12-07T09:11:21.337068382+00:00 stderr P tw\n"
          + "2026-12-07T09:11:21.337068382+00:00 stderr F o\n"
          + "2026-12-07T09:11:21.337068382+00:00 stdout F \n"
          + "2026-12-07T09:11:21.337068382+00:00 stdout F with  spaces \r\n"
          + "2026-12-07T09:11:21.337068382+00:00 stdout P no line end";

  private static String decode(String log) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogRecords.drain(
        new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), out,
        new ByteArrayOutputStream(), true);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void decode_joinsPartsEndsLinesKeepsContentAsWritten() throws Exception {
    assertEquals("one\ntwo\n\nwith  spaces \r\nno line end", decode(LOG));
  }

  @Test
  void decode_lineNotARecord_passedAsItIs() throws Exception {
    assertEquals("plain output\nstdout F x\n", decode("plain output\nstdout F x\n"));
  }

  @Test
  void drain_unfinishedRecordWaitsForItsEnd() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    String first = "2026-12-07T09:11:21.337068382+00:00 stdout F hel";
    LogRecords.drain(new ByteArrayInputStream(first.getBytes(StandardCharsets.UTF_8)), out,
        pending, false);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
    LogRecords.drain(new ByteArrayInputStream("lo\n".getBytes(StandardCharsets.UTF_8)), out,
        pending, false);
    assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void tailOffset_countsLinesOfOutputNotRecords() throws Exception {
    Path log = Files.writeString(tmp.resolve("ctr.log"), LOG);
    String all = Files.readString(log);
    assertEquals("no line end", decode(all.substring((int) LogRecords.tailOffset(log, 1))));
    assertEquals(
        "with  spaces \r\nno line end",
        decode(all.substring((int) LogRecords.tailOffset(log, 2))));
    assertEquals(
        "two\n\nwith  spaces \r\nno line end",
        decode(all.substring((int) LogRecords.tailOffset(log, 4))));
    assertEquals(0, LogRecords.tailOffset(log, 99));
    assertEquals(Files.size(log), LogRecords.tailOffset(log, 0));
  }
}
