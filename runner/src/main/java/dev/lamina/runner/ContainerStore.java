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
 * remove. It goes whole too: it is renamed away ({@code containers/.rm-<id>}) before anything of
 * it is deleted, so that a removal killed on the way leaves no container without its record or
 * half its files. What either leaves is removed by the next command that lists containers or
 * creates one ({@link #removeLeftovers}).
 *
 * <p>Names are claimed in {@link ContainerNameIndex}, {@code containers/.names/<name>}, once the
 * directory under its temporary name holds the record and before it is renamed into place, and
 * released once it is renamed away, so that neither a create nor a lookup by name reads every
 * record. Whatever a kill leaves of a claim then lies beside a leftover directory that names it,
 * and goes with it.
 */
final class ContainerStore {
  static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  private static final String RECORD = "container.json";

  /** A container directory being made, before it is renamed to its id. */
  private static final String UNFINISHED = ".new-";

  /** A container directory being deleted, renamed away from its id first. */
  private static final String REMOVING = ".rm-";

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
    removeLeftovers();
    return FileLocks.withExclusive(
        lock(),
        () -> {
          if (!names.present()) {
            return new ContainerNameCheck(0, List.of());
          }
          List<ContainerRecord> records = readAll();
          // Entries and claims of no container (left by an older version, or damaged by hand)
          // hold nothing, and go as the sweep of a leftover directory takes its own: what is
          // reported is what a sweep cannot mend.
          names.removeStale();
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
    removeLeftovers();
    if (nameTaken(r.name())) {
      throw new ContainerException(
          "the container name \"" + r.name() + "\" is already in use; remove it or choose another");
    }
    Path building = dir.resolve(UNFINISHED + r.id());
    Path cdir = dir(r.id());
    try {
      Files.createDirectories(building);
      for (String sub : subdirs) {
        Files.createDirectory(building.resolve(sub));
      }
      AtomicFiles.write(
          building.resolve(RECORD),
          JsonWriter.toBytes(r, ContainerRecordCodec.INSTANCE),
          !r.autoRemove());
      // Once the record is written, before the directory is in place: a creator killed before
      // the claim leaves no entry; one killed during or after it leaves the entry (or the
      // claim's link) beside the directory whose record names it, and the sweep of that
      // directory releases it. Never a record in place whose name is not claimed.
      names.claim(r.name(), r.id(), !r.autoRemove());
      AtomicFiles.moveAtomically(building, cdir);
    } catch (IOException | RuntimeException e) {
      try {
        dev.lamina.layerfs.store.Trees.deleteRecursively(building);
        releaseName(r.id(), r.name());
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
   * <p>The directory is renamed away first, then the name released, then the files deleted: a
   * removal killed at any step leaves the container gone from every listing and lookup, and a
   * leftover directory that {@link #removeLeftovers} finishes, never a directory without its
   * record (which {@code system check} would report) or a name held by no container.
   *
   * @throws IOException if deleting fails
   */
  void delete(String id, String name) throws IOException {
    Path removing = dir.resolve(REMOVING + id);
    if (Files.exists(dir(id), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      dev.lamina.layerfs.store.Trees.deleteRecursively(removing);
      AtomicFiles.moveAtomically(dir(id), removing);
    }
    releaseName(id, name);
    dev.lamina.layerfs.store.Trees.deleteRecursively(removing);
  }

  private void releaseName(String id, String name) throws IOException {
    if (name != null) {
      names.release(name, id);
    } else {
      names.releaseId(id);
    }
    names.releaseClaim(id);
  }

  /**
   * Removes what creators and removals killed on the way left ({@code .new-ID} and {@code
   * .rm-ID} directories) and releases the names they claimed, taking the lock when there are any:
   * both hold the lock while they work, so under it every such directory is a dead one's. A name
   * is released only where its entry points at that container, so a name another container holds
   * now is kept. Costs one listing of the containers' directory when there is nothing to do, the
   * cost of {@code ps} reading it. Returns the ids of the containers creators were making.
   *
   * @throws IOException if listing or deleting fails
   */
  List<String> removeLeftovers() throws IOException {
    if (leftovers().isEmpty()) {
      return List.of();
    }
    return FileLocks.withExclusive(
        lock(),
        () -> {
          List<String> ids = new ArrayList<>();
          for (Path d : leftovers()) {
            // Nothing is mounted under them; never delete through a mount all the same.
            if (dev.lamina.layerfs.overlay.MountTable.mountPointsUnder(d).isEmpty()) {
              String f = d.getFileName().toString();
              String id = f.substring(f.indexOf('-') + 1);
              // Its record, when it is still there whole, names the entry it claimed.
              String name = readable(d).map(ContainerRecord::name).orElse(null);
              dev.lamina.layerfs.store.Trees.deleteRecursively(d);
              releaseName(id, name);
              if (f.startsWith(UNFINISHED)) {
                ids.add(id);
              }
            }
          }
          return ids;
        });
  }

  /** The leftover directories {@link #removeLeftovers} could not remove (still mounted). */
  List<String> leftoverNames() throws IOException {
    return leftovers().stream().map(d -> d.getFileName().toString()).toList();
  }

  private List<Path> leftovers() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".{new,rm}-*")) {
      for (Path e : entries) {
        String f = e.getFileName().toString();
        if (ID.matcher(f.substring(f.indexOf('-') + 1)).matches()) {
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
