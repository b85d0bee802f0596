package dev.lamina.layerfs.events;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's event journal, {@code events/journal.jsonl}: since there is no daemon to ask, every
 * process appends what it did here and {@code lamina events} reads it. One JSON object per line,
 * each with a sequence number; appends hold {@code locks/events.lock}. The journal is bounded:
 * past {@link #MAX_BYTES} its older half is dropped (rewritten atomically), as docker keeps only
 * its last events.
 */
public final class EventJournal implements EventListener {
  /** Largest size of the journal before its older half goes. */
  public static final long MAX_BYTES = 1024 * 1024;

  private final Path file;
  private final Path lock;
  private final long maxBytes;

  private EventJournal(Path file, Path lock, long maxBytes) {
    this.file = file;
    this.lock = lock;
    this.maxBytes = maxBytes;
  }

  /** The journal of the store at {@code laminaRoot}. */
  public static EventJournal at(Path laminaRoot) {
    return new EventJournal(
        laminaRoot.resolve("events").resolve("journal.jsonl"),
        laminaRoot.resolve("locks").resolve("events.lock"),
        MAX_BYTES);
  }

  /** The same journal, bounded at {@code bytes} (for tests). */
  public EventJournal boundedAt(long bytes) {
    return new EventJournal(file, lock, bytes);
  }

  /** The journal file. */
  public Path file() {
    return file;
  }

  /** A recorded event: its place in the journal and the event. */
  public record Entry(long seq, Event event) {}

  /**
   * Appends {@code e}. Recording is best effort: an event that cannot be written (a full store)
   * is lost, and the work it reports goes on.
   */
  @Override
  public void event(Event e) {
    try {
      append(e);
    } catch (IOException | RuntimeException ignored) {
      // The journal is a record of the work, never a reason for it to fail.
    }
  }

  /**
   * Appends {@code e} under the journal's lock, then drops the older half if it grew past its
   * bound.
   *
   * @throws IOException if it cannot be written
   */
  public void append(Event e) throws IOException {
    Files.createDirectories(file.getParent());
    Files.createDirectories(lock.getParent());
    FileLocks.withExclusive(
        lock,
        () -> {
          long seq = lastSeq() + 1;
          byte[] line = line(new Entry(seq, e));
          try (OutputStream out =
              Files.newOutputStream(
                  file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                  StandardOpenOption.WRITE)) {
            out.write(line);
          }
          if (Files.size(file) > maxBytes) {
            trim();
          }
          return null;
        });
  }

  /** Keeps the newer half of the lines (whole lines), written atomically. */
  private void trim() throws IOException {
    byte[] all = Files.readAllBytes(file);
    int from = all.length / 2;
    while (from < all.length && all[from - 1] != '\n') {
      from++;
    }
    byte[] kept = java.util.Arrays.copyOfRange(all, from, all.length);
    AtomicFiles.write(file, kept, false);
  }

  /** The sequence number of the last line (0 when empty): read from the file's end. */
  private long lastSeq() throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long len = raf.length();
      if (len == 0) {
        return 0;
      }
      long pos = len - 1; // the final newline
      int chunk = 4096;
      StringBuilder tail = new StringBuilder();
      while (pos > 0) {
        long start = Math.max(0, pos - chunk);
        byte[] b = new byte[(int) (pos - start)];
        raf.seek(start);
        raf.readFully(b);
        tail.insert(0, new String(b, StandardCharsets.UTF_8));
        int nl = tail.lastIndexOf("\n");
        if (nl >= 0) {
          java.util.Optional<Entry> last = parse(tail.substring(nl + 1));
          if (last.isPresent()) {
            return last.get().seq();
          }
          break;
        }
        pos = start;
      }
    }
    // The last line was torn (a writer killed mid-line): the highest number before it.
    return read(0).stream().mapToLong(Entry::seq).max().orElse(0);
  }

  /**
   * Every recorded event after sequence number {@code afterSeq}, oldest first. Lines that cannot
   * be read (a write cut short) are passed over.
   *
   * @throws IOException if the journal cannot be read
   */
  public List<Entry> read(long afterSeq) throws IOException {
    List<Entry> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      parse(l).filter(en -> en.seq() > afterSeq).ifPresent(out::add);
    }
    return out;
  }

  private static java.util.Optional<Entry> parse(String line) {
    if (line.isBlank()) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(
          JsonObject.read(line.getBytes(StandardCharsets.UTF_8), CODEC));
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  private static byte[] line(Entry e) {
    byte[] json = JsonWriter.toBytes(e, CODEC);
    byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
    out[json.length] = '\n';
    return out;
  }

  private static final JsonCodec<Entry> CODEC =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, Entry e) throws IOException {
          Instant t = e.event().time();
          out.startObject()
              .number("seq", e.seq())
              .number("time", t.getEpochSecond())
              .number("timeNano", t.getEpochSecond() * 1_000_000_000L + t.getNano())
              .string("type", e.event().type())
              .string("action", e.event().action())
              .string("id", e.event().id())
              .stringMap("attributes", e.event().attributes())
              .endObject();
        }

        @Override
        public Entry read(JsonObject in) throws JsonFormatException {
          long nanos = in.longValue("timeNano", 0);
          return new Entry(
              in.longValue("seq", 0),
              new Event(
                  Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L),
                  in.string("type"),
                  in.string("action"),
                  in.string("id"),
                  in.stringMap("attributes")));
        }
      };
}
