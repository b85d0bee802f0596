package dev.lamina.builder.context;

import dev.lamina.layerfs.digest.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The memo of a context as builds read it: its file ({@link MemoFile}) and, beside it, the delta
 * that saves which learned little next to it wrote instead of a whole new memo ({@link
 * FileDigests#save}): the records learned since the memo was written, sorted as a memo is (it is
 * one, small). A record of the delta replaces the memo's record of the same key.
 *
 * <p>A delta belongs to one memo file: its name holds that file's identity (device, inode, size,
 * modification and change times), so a memo written anew (a cold build's, or a compaction of
 * memo and delta into one) leaves the delta of the one it replaced unread, without a step that
 * removes it: there is no moment when the new memo and the old delta are read together, crash or
 * not. Whatever is read, each record is what a file with that stamp held when it was hashed, so
 * a delta that is lost, or two builds' saves of which one is lost, only cost hashing again.
 */
final class Memo implements Closeable {
  /** How a delta's name ends; one whose memo was replaced is swept a day later. */
  static final String DELTA_SUFFIX = ".delta";

  /** A delta holds at most one record for this many of the memo's; beyond, memos merge. */
  static final int DELTA_SHARE = 8;

  private final MemoFile memo;
  private final MemoFile delta; // null: none, or unreadable
  private final Path deltaFile;
  private final Set<String> deltaDirectories; // the directories (key prefixes) the delta holds

  private Memo(MemoFile memo, MemoFile delta, Path deltaFile, Set<String> deltaDirectories) {
    this.memo = memo;
    this.delta = delta;
    this.deltaFile = deltaFile;
    this.deltaDirectories = deltaDirectories;
  }

  /**
   * The memo in {@code file} and its delta; null when there is no memo, or it is damaged or of
   * another format. A delta that cannot be read is ignored.
   */
  static Memo open(Path file) throws IOException {
    for (int attempt = 0; attempt < 3; attempt++) {
      FileStamp before = stampOf(file);
      MemoFile memo = before == null ? null : MemoFile.open(file);
      if (memo == null) {
        return null;
      }
      // The memo opened is the one stat'ed only if nothing replaced it meanwhile; else its delta
      // would be taken for another memo's (which would cost only hashing again: look again).
      if (before.equals(stampOf(file))) {
        Path deltaFile = deltaOf(file, before);
        MemoFile delta = MemoFile.open(deltaFile);
        Set<String> directories = delta == null ? Set.of() : directoriesOf(delta);
        if (directories == null) {
          delta.close();
          delta = null;
          directories = Set.of();
        }
        return new Memo(memo, delta, deltaFile, directories);
      }
      memo.close();
    }
    return null;
  }

  private static FileStamp stampOf(Path file) throws IOException {
    try {
      return FileStamp.of(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Where the delta of the memo {@code file}, with {@code stamp}, lives. */
  static Path deltaOf(Path file, FileStamp stamp) {
    String identity = stamp.dev() + ":" + stamp.inode() + ":" + stamp.size() + ":"
        + stamp.mtimeNanos() + ":" + stamp.ctimeNanos();
    String id = Digest.sha256(identity.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 20);
    return file.resolveSibling(file.getFileName() + "." + id + DELTA_SUFFIX);
  }

  /**
   * The directories of the delta's keys (each key up to its last '/'), read once; null if a
   * record cannot be read (the delta is then ignored as a damaged memo is).
   */
  private static Set<String> directoriesOf(MemoFile delta) {
    Set<String> directories = new HashSet<>();
    try {
      for (Iterator<MemoFile.Record> it = delta.records(); it.hasNext(); ) {
        String key = it.next().key();
        directories.add(key.substring(0, key.lastIndexOf('/') + 1));
      }
      return directories;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The file of this memo's delta, whether it exists or not. */
  Path deltaFile() {
    return deltaFile;
  }

  /**
   * Whether the delta may hold keys of the directory {@code prefix} (a key prefix up to and with
   * its '/'; empty for the top): a walk asks once a directory, and looks in the delta only for
   * those of the few directories it holds, so that a delta costs a walk nothing elsewhere.
   */
  boolean deltaMayHold(String prefix) {
    return deltaDirectories.contains(prefix);
  }

  /** The record of {@code key}, or null; {@code inDelta} false when the delta holds none there. */
  MemoFile.Record find(String key, boolean inDelta) throws IOException {
    MemoFile.Record fromDelta = inDelta && delta != null ? delta.find(key) : null;
    // Asked even when the delta has it: the memo's lookups then stay in walk order.
    MemoFile.Record fromMemo = memo.find(key);
    if (fromDelta == null) {
      return fromMemo;
    }
    memo.outdate(fromMemo); // replaced: a new memo needs it no more than an outdated one
    return fromDelta;
  }

  /** The record of {@code key}, or null. */
  MemoFile.Record find(String key) throws IOException {
    return find(key, delta != null && deltaMayHold(key.substring(0, key.lastIndexOf('/') + 1)));
  }

  /** Notes that {@code found}, the record {@link #find} gave last, no longer holds. */
  void outdate(MemoFile.Record found) {
    memo.outdate(found);
    if (delta != null) {
      delta.outdate(found);
    }
  }

  /** Whether every record, of the memo and of its delta, was found outdated or replaced. */
  boolean allOutdated() {
    return memo.allOutdated() && (delta == null || delta.allOutdated());
  }

  /**
   * The delta's records, in order, read independently of lookups: what builds that learned
   * little since the memo was written learned, the files whose stamps had changed (none if there
   * is no delta).
   */
  Iterator<MemoFile.Record> deltaRecords() throws IOException {
    return delta == null ? java.util.Collections.emptyIterator() : delta.records();
  }

  /** Every record as readers see them: the memo's and the delta's merged, the delta's winning. */
  Iterator<MemoFile.Record> records() throws IOException {
    if (delta == null) {
      return memo.records();
    }
    return new MemoMerge(List.of(
        new MemoMerge.Source(memo.records(), -2), new MemoMerge.Source(delta.records(), -1)));
  }

  /**
   * Whether {@code learned} records (at most: a key may be learned twice) fit in the delta, with
   * those it holds: together at most one {@value #DELTA_SHARE}th of the memo's. Beyond, a delta
   * would cost every save as much as a new memo, and a reader more than it saves.
   */
  boolean deltaTakes(long learned) {
    return ((delta == null ? 0 : delta.count()) + learned) * DELTA_SHARE <= memo.count();
  }

  /**
   * Replaces the delta with its records and {@code learned} merged, a learned record replacing
   * the delta's of the same key; the memo file is left as it is. Atomic: a crash leaves the old
   * delta or the new one. Of two builds saving at once, the last wins (the other's learned records
   * are hashed again).
   *
   * @throws IOException if it cannot be written (the old delta is then unchanged)
   */
  void saveDelta(List<MemoMerge.Source> learned) throws IOException {
    List<MemoMerge.Source> sources = new ArrayList<>();
    if (delta != null) {
      sources.add(new MemoMerge.Source(delta.records(), -1));
    }
    sources.addAll(learned);
    try {
      MemoFile.write(deltaFile, new MemoMerge(sources));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Removes the delta, once the memo file it extended was replaced by one that holds its records
   * (it is read no more from then on: its name holds the replaced memo's identity).
   */
  void removeDelta() throws IOException {
    Files.deleteIfExists(deltaFile);
  }

  @Override
  public void close() throws IOException {
    memo.close();
    if (delta != null) {
      delta.close();
    }
  }
}
