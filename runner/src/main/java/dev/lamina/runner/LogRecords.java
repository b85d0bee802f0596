package dev.lamina.runner;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * A container's log in the k8s-file format its monitor, conmon, writes: one record a line, {@code
 * TIMESTAMP STREAM TAG CONTENT}, where STREAM is {@code stdout} or {@code stderr} and TAG is
 * {@code F} for content that ends a line of output or {@code P} for part of a longer one (the line
 * end itself is not in the content). A line in another form (a log a Lamina without conmon wrote,
 * or a run through the runtime alone) is output as it is.
 */
final class LogRecords {
  private LogRecords() {}

  /**
   * Writes the output that the complete records in {@code line} hold, one record (without its
   * {@code \n}) per call.
   */
  static void decode(byte[] line, int length, OutputStream out) throws IOException {
    int tag = tagAt(line, length);
    if (tag < 0) {
      out.write(line, 0, length);
      out.write('\n');
      return;
    }
    int content = Math.min(tag + 2, length);
    out.write(line, content, length - content);
    if (line[tag] == 'F') {
      out.write('\n');
    }
  }

  /** Where a record's tag is, or -1 when {@code line} is not a k8s-file record. */
  private static int tagAt(byte[] line, int length) {
    int first = indexOf(line, length, ' ', 0);
    if (first < 20 || line[0] < '0' || line[0] > '9' || line[4] != '-') {
      return -1;
    }
    int second = indexOf(line, length, ' ', first + 1);
    if (second < 0) {
      return -1;
    }
    String stream = new String(line, first + 1, second - first - 1, StandardCharsets.US_ASCII);
    if (!stream.equals("stdout") && !stream.equals("stderr")) {
      return -1;
    }
    int tag = second + 1;
    if (tag >= length || (line[tag] != 'F' && line[tag] != 'P')) {
      return -1;
    }
    if (tag + 1 < length && line[tag + 1] != ' ') {
      return -1;
    }
    return tag;
  }

  /** Whether a record ends a line of output (an F record, or a line not in the format). */
  private static boolean endsLine(byte[] line, int length) {
    int tag = tagAt(line, length);
    return tag < 0 || line[tag] == 'F';
  }

  private static int indexOf(byte[] b, int length, char c, int from) {
    for (int i = from; i < length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Decodes what {@code in} has: every complete record, and with {@code atEnd} also an unfinished
   * last one; an unfinished one is kept in {@code pending} for the next call otherwise.
   */
  static void drain(InputStream in, OutputStream out, ByteArrayOutputStream pending, boolean atEnd)
      throws IOException {
    byte[] buf = new byte[8192];
    boolean wrote = false;
    for (int n; (n = in.read(buf)) > 0; ) {
      int from = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          pending.write(buf, from, i - from);
          decode(pending.toByteArray(), pending.size(), out);
          pending.reset();
          wrote = true;
          from = i + 1;
        }
      }
      pending.write(buf, from, n - from);
    }
    if (atEnd && pending.size() > 0) {
      decode(pending.toByteArray(), pending.size(), out);
      pending.reset();
      wrote = true;
    }
    if (wrote) {
      out.flush();
    }
  }

  /**
   * The offset of the record where the last {@code lines} lines of output begin: a line is the
   * records up to an F record; an unfinished last line counts as a line.
   */
  static long tailOffset(Path log, int lines) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    if (lines <= 0) {
      return Files.size(log);
    }
    ArrayDeque<Long> starts = new ArrayDeque<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(log), 64 * 1024)) {
      ByteArrayOutputStream record = new ByteArrayOutputStream();
      long offset = 0;
      long lineStart = 0;
      boolean open = false;
      for (int c; (c = in.read()) >= 0; ) {
        offset++;
        if (c != '\n') {
          record.write(c);
          open = true;
          continue;
        }
        if (endsLine(record.toByteArray(), record.size())) {
          remember(starts, lineStart, lines);
          lineStart = offset;
          open = false;
        } else {
          open = true;
        }
        record.reset();
      }
      if (open) {
        remember(starts, lineStart, lines);
      }
    }
    return starts.size() < lines ? 0 : starts.peekFirst();
  }

  private static void remember(ArrayDeque<Long> starts, long start, int keep) {
    starts.addLast(start);
    if (starts.size() > keep) {
      starts.removeFirst();
    }
  }
}
