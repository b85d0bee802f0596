package dev.lamina.builder.context;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.tar.LayerEntry;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records a build learned, appended to a file beside the memo as they come, for one writer (a
 * thread, or a walk that records in walk order). The file is laid out as a memo's records are:
 * runs of ascending keys, which {@link FileDigests#save} merges with the old memo; a spill that
 * is a single run is a memo as it stands once its index is added ({@link #commitAs}).
 */
final class Spill {
  /** How spill files end; those a killed build left behind are swept a day later. */
  static final String SUFFIX = ".learned";

  private final Path file;
  private final FileChannel channel;
  private final MemoFile.Writer writer;
  private final List<long[]> runs = new ArrayList<>(); // {start offset, records, age}
  private String lastKey;
  private FileChannel reading;
  private boolean committed;

  private Spill(Path file) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
    this.writer = new MemoFile.Writer(Channels.newOutputStream(channel));
  }

  /**
   * A new spill beside {@code memoFile}, made as any file of the store is (its mode from the
   * umask, as the merged memo's), and named without {@code Files.createTempFile}, whose
   * SecureRandom costs a short build several milliseconds to set up.
   */
  static Spill create(Path memoFile) {
    try {
      Files.createDirectories(memoFile.getParent());
      Path file = memoFile.resolveSibling(
          memoFile.getFileName() + "." + RandomIds.hex64().substring(0, 20) + SUFFIX);
      return new Spill(Files.createFile(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Appends {@code r}; a key not after the last one starts a new run, younger ({@code ages}) than
   * every run before it, so that the merge takes its record over theirs.
   */
  void add(MemoFile.Record r, AtomicInteger ages) throws IOException {
    if (lastKey == null || LayerEntry.PATH_ORDER.compare(lastKey, r.key()) >= 0) {
      runs.add(new long[] {writer.position(), 0, ages.incrementAndGet()});
    }
    writer.add(r);
    runs.get(runs.size() - 1)[1]++;
    lastKey = r.key();
  }

  /** How many runs of ascending keys it holds. */
  int runCount() {
    return runs.size();
  }

  /** How many records it holds (a key added twice counts twice). */
  long records() {
    long n = 0;
    for (long[] run : runs) {
      n += run[1];
    }
    return n;
  }

  /** Its runs, each a sorted source for the merge. */
  List<MemoMerge.Source> runs() throws IOException {
    writer.flush();
    reading = FileChannel.open(file, StandardOpenOption.READ);
    List<MemoMerge.Source> sources = new ArrayList<>();
    for (long[] run : runs) {
      DataInputStream in = MemoFile.reader(reading, run[0]);
      long count = run[1];
      sources.add(new MemoMerge.Source(new Iterator<>() {
        private long read;

        @Override
        public boolean hasNext() {
          return read < count;
        }

        @Override
        public MemoFile.Record next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          try {
            read++;
            return MemoFile.Record.readFrom(in);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }, (int) run[2]));
    }
    return sources;
  }

  /**
   * Makes this spill, a single run of ascending keys, the memo {@code target}: its index and
   * footer are appended, it is synced, and renamed over the target in one step, as {@link
   * AtomicFiles} replaces a file (a crash before the rename leaves the old memo and a spill that
   * is swept later).
   *
   * @throws IOException if it cannot be written or renamed (the target is then unchanged)
   */
  void commitAs(Path target) throws IOException {
    if (runs.size() > 1) {
      throw new IllegalStateException("a spill of " + runs.size() + " runs is not a memo");
    }
    writer.finish();
    channel.force(true);
    channel.close();
    AtomicFiles.moveAtomically(file, target);
    committed = true;
    AtomicFiles.syncDirectory(target.toAbsolutePath().getParent());
  }

  /** Deletes the file, unless it became the memo. */
  void delete() throws IOException {
    try {
      writer.close();
    } catch (IOException e) {
      // what is left unwritten is deleted anyway
    }
    if (reading != null) {
      reading.close();
    }
    if (!committed) {
      Files.deleteIfExists(file);
    }
  }
}
