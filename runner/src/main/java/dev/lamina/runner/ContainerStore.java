package dev.lamina.runner;

import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.internal.JsonFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The container records of a store, {@code containers/<id>/container.json}, and the lock under
 * which they change, {@code containers/.lock}.
 *
 * <p>A container's directory appears whole: it is made, with its first record, under a temporary
 * name ({@code containers/.new-<id>}) and renamed into place, so that a creator killed on the way
 * (SIGKILL) leaves no directory without a record, which {@code ps} could not show nor {@code rm}
 * remove. What it leaves under the temporary name is removed by the next command that lists
 * containers or creates one.
 *
 * <p>Names are claimed in {@link ContainerNameIndex}, {@code containers/.names/<name>}, before the
 * directory is renamed into place, and released after it is deleted, so that neither a create
 * nor a lookup by name reads every record.
 */
final class ContainerStore {
  static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  private static final String RECORD = "container.json";

  /** A container directory being made, before it is renamed to its id. */
  private static final String UNFINISHED = ".new-";

  private final Path dir;
  private final ContainerNameIndex names;
  /** How many times every record was read ({@link #readAll}): what tests watch. */
  private final java.util.concurrent.atomic.AtomicLong scans =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile dev.lamina.layerfs.events.EventListener events;

  ContainerStore(Path containersDir) {
    this.dir = containersDir;
    this.names = new ContainerNameIndex(containersDir);
    this.events = dev.lamina.layerfs.events.EventJournal.at(containersDir.getParent());
  }

  /** Reports container events to {@code listener} (the store's journal by default). */
  void reportEventsTo(dev.lamina.layerfs.events.EventListener listener) {
    this.events = listener;
  }

  /**
   * Reports {@code action} on container {@code r}, with docker's attributes ({@code name},
   * {@code image}) and {@code extra} ones.
   */
  void report(String action, ContainerRecord r, java.util.Map<String, String> extra) {
    // As docker's: the container's labels are attributes too (for --filter label=...).
    java.util.Map<String, String> a = new java.util.TreeMap<>(r.labels());
    a.putAll(extra);
    if (r.name() != null) {
      a.put("name", r.name());
    }
    if (r.image() != null) {
      a.put("image", r.image());
    }
    events.event(
        dev.lamina.layerfs.events.Event.now(
            dev.lamina.layerfs.events.Event.CONTAINER, action, r.id(), a));
  }

  /** The directory holding every container's directory. */
  Path root() {
    return dir;
  }

  Path lock() {
    return dir.resolve(".lock");
  }

  /** The directory of container {@code id}. */
  Path dir(String id) {
    return dir.resolve(id);
  }

  /**
   * The container named {@code ref}: its full id, its name, or a unique id prefix.
   *
   * @throws ContainerException when none or several match
   */
  ContainerRecord find(String ref) throws IOException {
    if (ref == null || ref.isEmpty()) {
      throw new ContainerException("no container named");
    }
    if (ID.matcher(ref).matches()) {
      Optional<ContainerRecord> r = read(dir(ref));
      if (r.isPresent()) {
        return r.get();
      }
    }
    boolean hex = ref.matches("[0-9a-f]+");
    List<ContainerRecord> all;
    if (names.present()) {
      Optional<ContainerRecord> named = names.holder(ref);
      if (named.isPresent()) {
        return named.get();
      }
      if (!hex) {
        throw new ContainerException("no such container: " + ref);
      }
      all = readAll();
    } else {
      // A store made before the index, until the next create builds it.
      all = readAll();
      for (ContainerRecord r : all) {
        if (ref.equals(r.name())) {
          return r;
        }
      }
    }
    List<ContainerRecord> byPrefix = new ArrayList<>();
    if (hex) {
      for (ContainerRecord r : all) {
        if (r.id().startsWith(ref)) {
          byPrefix.add(r);
        }
      }
    }
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw new ContainerException("container id prefix " + ref + " is ambiguous");
    }
    throw new ContainerException("no such container: " + ref);
  }

  /** Every readable record. */
  List<ContainerRecord> readAll() throws IOException {
    scans.incrementAndGet();
    List<ContainerRecord> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        if (ID.matcher(e.getFileName().toString()).matches()) {
          try {
            read(e).ifPresent(out::add);
          } catch (IOException unreadable) {
            // A damaged record must not hide the others.
          }
        }
      }
    }
    return out;
  }

  /** The record in the container directory {@code cdir}, if there is one. */
  static Optional<ContainerRecord> read(Path cdir) throws IOException {
    Path f = cdir.resolve(RECORD);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    return Optional.of(JsonFiles.read(f, ContainerRecordCodec.INSTANCE));
  }

  /** The record in {@code cdir}; empty when there is none or it is damaged. */
  static Optional<ContainerRecord> readable(Path cdir) {
    try {
      return read(cdir);
    } catch (IOException damaged) {
      return Optional.empty();
    }
  }

  /**
   * Writes a record atomically. It is synced to disk only for a container that is kept: a {@code
   * --rm} container is disposable, and should a crash lose its record, {@code prune} removes
   * what is left of it.
   */
  void write(ContainerRecord r) throws IOException {
    AtomicFiles.write(
        dir(r.id()).resolve(RECORD),
        JsonWriter.toBytes(r, ContainerRecordCodec.INSTANCE),
        !r.autoRemove());
  }

  /**
   * Whether a container holds the name {@code name}. Call holding the lock: the index of names is
   * built from the records first when there is none (a store made before it).
   *
   * @throws IOException if the index cannot be read or built
   */
  boolean nameTaken(String name) throws IOException {
    indexNames();
    return names.holder(name).isPresent();
  }

  /** Builds the index of names from the records when there is none. Call holding the lock. */
  private void indexNames() throws IOException {
    if (!names.present()) {
      names.rebuild(readAll());
    }
  }

  /**
   * Where the index of names disagrees with the records ({@link
   * ContainerNameIndex#disagreements}), read under the lock. A store without an index has none to
   * disagree: its next create builds it. With {@code repair}, the index is rebuilt from the records.
   *
   * @return the number of names checked and the disagreements
   * @throws IOException if the records or the index cannot be read, or the index rebuilt
   */
  ContainerNameCheck checkNames(boolean repair) throws IOException {
    return FileLocks.withExclusive(
        lock(),
        () -> {
          if (!names.present()) {
            return new ContainerNameCheck(0, List.of());
          }
          List<ContainerRecord> records = readAll();
          List<ContainerNameCheck.Disagreement> problems = names.disagreements(records);
          if (repair && !problems.isEmpty()) {
            names.rebuild(records);
          }
          return new ContainerNameCheck(ContainerNameIndex.expected(records).size(), problems);
        });
  }

  /**
   * Makes the directory of new container {@code r}, with the sub-directories {@code subdirs} and
   * its first record, whole or not at all (see the class comment), and claims its name. Call
   * holding the lock: a directory under the temporary name is then known to be a dead creator's,
   * and removed first.
   *
   * @return the container's directory
   * @throws ContainerException when its name is taken
   */
  Path create(ContainerRecord r, List<String> subdirs) throws IOException {
    removeUnfinished();
    if (nameTaken(r.name())) {
      throw new ContainerException(
          "the container name \"" + r.name() + "\" is already in use; remove it or choose another");
    }
    Path building = dir.resolve(UNFINISHED + r.id());
    Path cdir = dir(r.id());
    // Before the directory is in place: a creator killed in between leaves an entry naming no
    // record, which is free; never a record whose name is not claimed.
    names.claim(r.name(), r.id(), !r.autoRemove());
    try {
      Files.createDirectories(building);
      for (String sub : subdirs) {
        Files.createDirectory(building.resolve(sub));
      }
      AtomicFiles.write(
          building.resolve(RECORD),
          JsonWriter.toBytes(r, ContainerRecordCodec.INSTANCE),
          !r.autoRemove());
      AtomicFiles.moveAtomically(building, cdir);
    } catch (IOException | RuntimeException e) {
      try {
        dev.lamina.layerfs.store.Trees.deleteRecursively(building);
        names.release(r.name(), r.id());
      } catch (IOException left) {
        e.addSuppressed(left);
      }
      throw e;
    }
    if (!r.autoRemove()) {
      AtomicFiles.syncDirectory(dir);
    }
    return cdir;
  }

  /**
   * Deletes the directory of container {@code r} and releases its name, in this order (see {@link
   * ContainerNameIndex#release}). Call holding the lock, with nothing mounted under it.
   *
   * @throws IOException if deleting fails
   */
  void delete(ContainerRecord r) throws IOException {
    delete(r.id(), r.name());
  }

  /**
   * Deletes the directory of container {@code id} and releases its name, {@code name}, or when it
   * is not known (null: its record was lost), any name the index gives it. Call holding the lock.
   *
   * @throws IOException if deleting fails
   */
  void delete(String id, String name) throws IOException {
    dev.lamina.layerfs.store.Trees.deleteRecursively(dir(id));
    releaseName(id, name);
  }

  private void releaseName(String id, String name) throws IOException {
    if (name != null) {
      names.release(name, id);
    } else {
      names.releaseId(id);
    }
  }

  /**
   * Removes the directories creators killed on the way left under the temporary name, taking the
   * lock when there are any (no creator is at work then: one holds the lock while it builds).
   * Returns the ids of the containers they were to be.
   *
   * @throws IOException if listing or deleting fails
   */
  List<String> removeUnfinished() throws IOException {
    if (unfinished().isEmpty()) {
      return List.of();
    }
    return FileLocks.withExclusive(
        lock(),
        () -> {
          List<String> ids = new ArrayList<>();
          for (Path d : unfinished()) {
            // Nothing is mounted before the rename; never delete through a mount all the same.
            if (dev.lamina.layerfs.overlay.MountTable.mountPointsUnder(d).isEmpty()) {
              String id = d.getFileName().toString().substring(UNFINISHED.length());
              // Its record, when it was written whole, names the entry it claimed.
              String name = readable(d).map(ContainerRecord::name).orElse(null);
              dev.lamina.layerfs.store.Trees.deleteRecursively(d);
              releaseName(id, name);
              ids.add(id);
            }
          }
          return ids;
        });
  }

  /** The directories under the temporary name, as the ids they were to be. */
  List<String> unfinishedIds() throws IOException {
    return unfinished().stream()
        .map(d -> d.getFileName().toString().substring(UNFINISHED.length()))
        .toList();
  }

  private List<Path> unfinished() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, UNFINISHED + "*")) {
      for (Path e : entries) {
        if (ID.matcher(e.getFileName().toString().substring(UNFINISHED.length())).matches()) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /** Changes a record under the lock; null (and nothing written) when it was removed meanwhile. */
  ContainerRecord update(String id, UnaryOperator<ContainerRecord> change) throws IOException {
    return FileLocks.withExclusive(
        lock(),
        () -> {
          Optional<ContainerRecord> cur = read(dir(id));
          if (cur.isEmpty()) {
            return null;
          }
          ContainerRecord next = change.apply(cur.get());
          write(next);
          return next;
        });
  }

  /** How many times every record was read so far. */
  long scans() {
    return scans.get();
  }

  /** The names of the volumes any container references. */
  Set<String> volumesInUse() throws IOException {
    Set<String> used = new HashSet<>();
    for (ContainerRecord r : readAll()) {
      used.addAll(r.volumes());
    }
    return used;
  }
}
