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
 */
final class ContainerStore {
  static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  private static final String RECORD = "container.json";

  /** A container directory being made, before it is renamed to its id. */
  private static final String UNFINISHED = ".new-";

  private final Path dir;
  private volatile dev.lamina.layerfs.events.EventListener events;

  ContainerStore(Path containersDir) {
    this.dir = containersDir;
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
    List<ContainerRecord> all = readAll();
    for (ContainerRecord r : all) {
      if (r.name().equals(ref)) {
        return r;
      }
    }
    List<ContainerRecord> byPrefix = new ArrayList<>();
    if (ref.matches("[0-9a-f]+")) {
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
   * Makes the directory of new container {@code r}, with the sub-directories {@code subdirs} and
   * its first record, whole or not at all (see the class comment). Call holding the lock: a
   * directory under the temporary name is then known to be a dead creator's, and removed first.
   *
   * @return the container's directory
   */
  Path create(ContainerRecord r, List<String> subdirs) throws IOException {
    removeUnfinished();
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
      AtomicFiles.moveAtomically(building, cdir);
    } catch (IOException | RuntimeException e) {
      try {
        dev.lamina.layerfs.store.Trees.deleteRecursively(building);
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
              dev.lamina.layerfs.store.Trees.deleteRecursively(d);
              ids.add(d.getFileName().toString().substring(UNFINISHED.length()));
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

  /** The names of the volumes any container references. */
  Set<String> volumesInUse() throws IOException {
    Set<String> used = new HashSet<>();
    for (ContainerRecord r : readAll()) {
      used.addAll(r.volumes());
    }
    return used;
  }
}
