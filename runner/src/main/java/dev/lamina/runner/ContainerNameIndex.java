package dev.lamina.runner;

import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.Trees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The index of container names, {@code containers/.names/<name>}: a symbolic link to the id of the
 * container holding the name, so that a name is claimed, found and released without reading every
 * record. The records stay the one truth: an entry counts only while the record of the container
 * it names exists and bears that name, so that an entry a killed command left behind (its
 * container never made, or removed) is free and replaced.
 *
 * <p>Entries change only under the containers' lock. The index appears whole or not at all: it is
 * built from the records under a temporary name and renamed into place, so that a store made
 * before it, or one whose index was removed, has none, and the next command creating a container
 * builds it before it claims a name. Until then lookups read the records.
 */
final class ContainerNameIndex {
  static final String DIR = ".names";

  /** The index being built, before it is renamed into place; and the one it replaces. */
  private static final String BUILDING = ".names-new";
  private static final String REPLACED = ".names-old";

  /** A claim's link to its container before it replaces a stale entry (no name starts so). */
  private static final String CLAIM = ".claim-";

  private final Path containers;
  private final Path dir;

  ContainerNameIndex(Path containersDir) {
    this.containers = containersDir;
    this.dir = containersDir.resolve(DIR);
  }

  /** Whether the index exists (else lookups must read the records). */
  boolean present() {
    return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
  }

  /** The id the entry of {@code name} points to, if there is an entry (not checked). */
  Optional<String> entry(String name) throws IOException {
    // No name longer than a valid one (a file name has at most 255 bytes) has an entry.
    if (name.length() > 253 || !ContainerNames.NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    try {
      String id = Files.readSymbolicLink(dir.resolve(name)).toString();
      return ContainerStore.ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    } catch (NoSuchFileException | NotLinkException none) {
      return Optional.empty();
    }
  }

  /**
   * The record of the container holding {@code name}: the one its entry points to, if that
   * record exists and bears the name (else the entry is stale, and the name free).
   */
  Optional<ContainerRecord> holder(String name) throws IOException {
    Optional<String> id = entry(name);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    return ContainerStore.readable(containers.resolve(id.get()))
        .filter(r -> name.equals(r.name()));
  }

  /**
   * Replaces the index with one built from {@code records} (where two records bear one name, the
   * older keeps it). Call holding the lock. Lookups meanwhile find no index, or the old one, or
   * the new one, never half of one.
   *
   * @throws IOException if it cannot be written
   */
  void rebuild(List<ContainerRecord> records) throws IOException {
    Path building = containers.resolve(BUILDING);
    Path replaced = containers.resolve(REPLACED);
    Trees.deleteRecursively(building);
    Trees.deleteRecursively(replaced);
    Files.createDirectories(building);
    for (Map.Entry<String, String> e : expected(records).entrySet()) {
      Files.createSymbolicLink(building.resolve(e.getKey()), Path.of(e.getValue()));
    }
    AtomicFiles.syncDirectory(building);
    if (present()) {
      AtomicFiles.moveAtomically(dir, replaced);
    }
    AtomicFiles.moveAtomically(building, dir);
    AtomicFiles.syncDirectory(containers);
    Trees.deleteRecursively(replaced);
  }

  /** The entries {@code records} call for: each name to the id of its oldest holder. */
  static Map<String, String> expected(List<ContainerRecord> records) {
    List<ContainerRecord> oldestFirst = new ArrayList<>(records);
    oldestFirst.sort(
        (a, b) -> String.valueOf(a.created()).compareTo(String.valueOf(b.created())));
    Map<String, String> out = new TreeMap<>();
    for (ContainerRecord r : oldestFirst) {
      if (r.name() != null && ContainerNames.NAME.matcher(r.name()).matches()) {
        out.putIfAbsent(r.name(), r.id());
      }
    }
    return out;
  }

  /**
   * Where the index disagrees with {@code records}, per name: a record whose name no entry gives
   * it (the name would look free), or an entry naming no container that bears the name (left by a
   * killed command: free, but kept until the name is claimed again).
   *
   * @throws IOException if the index cannot be read
   */
  List<ContainerNameCheck.Disagreement> disagreements(List<ContainerRecord> records)
      throws IOException {
    Map<String, String> expected = expected(records);
    List<ContainerNameCheck.Disagreement> out = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      if (holder(e.getKey()).isEmpty()) {
        out.add(new ContainerNameCheck.Disagreement(e.getKey(),
            "container " + e.getValue().substring(0, 12)
                + " has this name, but the index of names does not give it"));
      }
    }
    for (Map.Entry<String, String> e : entries().entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        out.add(new ContainerNameCheck.Disagreement(e.getKey(),
            e.getValue() == null
                ? "an entry of the index of names that gives no container id"
                : "the index of names gives it to container " + e.getValue().substring(0, 12)
                    + ", which does not exist or bears another name"));
      }
    }
    return out;
  }

  /** Every entry, name to id (an entry that is no link to an id maps to null). */
  Map<String, String> entries() throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!present()) {
      return out;
    }
    try (DirectoryStream<Path> all = Files.newDirectoryStream(dir)) {
      for (Path p : all) {
        String name = p.getFileName().toString();
        out.put(name, entry(name).orElse(null));
      }
    }
    return out;
  }

  /**
   * Points the entry of {@code name} at container {@code id}, replacing a stale one in one step.
   * Call holding the lock, once {@link #holder} found the name free.
   *
   * @param durable sync the entry to disk (for a container whose record is synced)
   * @throws IOException if it cannot be written
   */
  void claim(String name, String id, boolean durable) throws IOException {
    Path entry = dir.resolve(name);
    try {
      Files.createSymbolicLink(entry, Path.of(id));
    } catch (FileAlreadyExistsException stale) {
      // A dot never starts a name: the temporary link cannot be one.
      Path temp = dir.resolve(CLAIM + id);
      Files.deleteIfExists(temp);
      Files.createSymbolicLink(temp, Path.of(id));
      AtomicFiles.moveAtomically(temp, entry);
    }
    if (durable) {
      AtomicFiles.syncDirectory(dir);
    }
  }

  /**
   * Removes the entry of {@code name} if it points at container {@code id} (another container may
   * hold the name since). Call holding the lock, after the container's record is gone: a command
   * killed in between leaves a stale entry, which is free, never a record without its entry.
   *
   * @throws IOException if it cannot be removed
   */
  void release(String name, String id) throws IOException {
    if (name != null && present() && entry(name).filter(id::equals).isPresent()) {
      Files.deleteIfExists(dir.resolve(name));
    }
  }

  /**
   * Removes the link a claim of container {@code id} makes before it replaces a stale entry,
   * should a killed creator have left it. Call holding the lock.
   *
   * @throws IOException if it cannot be removed
   */
  void releaseClaim(String id) throws IOException {
    if (present()) {
      Files.deleteIfExists(dir.resolve(CLAIM + id));
    }
  }

  /**
   * Removes every entry that holds no name: one naming no container that bears the name, and
   * anything in the index that is no entry (a claim's link, which only lives while its creator
   * holds the lock). Call holding the lock: no container is being made or removed then, so none
   * of these can be one's work in progress. Reads the record of every entry: for {@code system
   * check}, not for every command.
   *
   * @throws IOException if the index cannot be read or an entry removed
   */
  void removeStale() throws IOException {
    for (Map.Entry<String, String> e : entries().entrySet()) {
      if (e.getValue() == null || holder(e.getKey()).isEmpty()) {
        Files.deleteIfExists(dir.resolve(e.getKey()));
      }
    }
  }

  /**
   * Removes every entry pointing at container {@code id}, whose name is not known (its record was
   * never written whole, or was lost): reads the whole index, so only for such leftovers. Call
   * holding the lock.
   *
   * @throws IOException if the index cannot be read or an entry removed
   */
  void releaseId(String id) throws IOException {
    for (Map.Entry<String, String> e : entries().entrySet()) {
      if (id.equals(e.getValue())) {
        Files.deleteIfExists(dir.resolve(e.getKey()));
      }
    }
  }
}
