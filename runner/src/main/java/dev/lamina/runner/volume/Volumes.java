package dev.lamina.runner.volume;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.runner.internal.JsonFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Named volumes under {@code $LAMINA_ROOT/volumes/<name>/}: {@code volume.json} and the data in
 * {@code _data/}. Names are validated before they touch the filesystem, so a name can never reach
 * outside {@code volumes/}. A volume a container references is never removed.
 */
public final class Volumes {
  /** Docker's volume name grammar. */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

  private static final String RECORD = "volume.json";

  private final Path dir;
  private final VolumeUsers users;

  private Volumes(Path dir, VolumeUsers users) {
    this.dir = dir;
    this.users = users;
  }

  /** The volumes of the store at {@code laminaRoot}; {@code users} says which are in use. */
  public static Volumes at(Path laminaRoot, VolumeUsers users) {
    return new Volumes(laminaRoot.toAbsolutePath().resolve("volumes"), users);
  }

  /**
   * Checks a volume name.
   *
   * @throws VolumeException when it does not match {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*} or is longer
   *     than 255 characters
   */
  public static String validateName(String name) throws VolumeException {
    if (name == null || name.length() > 255 || !NAME.matcher(name).matches()) {
      throw new VolumeException(
          "invalid volume name '"
              + name
              + "': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at most 255 characters");
    }
    return name;
  }

  private Path lock() {
    return dir.resolve(".lock");
  }

  private Path volumeDir(String name) throws VolumeException {
    Path p = dir.resolve(validateName(name)).normalize();
    if (!p.getParent().equals(dir.normalize())) {
      throw new VolumeException("invalid volume name '" + name + "'");
    }
    return p;
  }

  /**
   * Creates the volume, or returns it when it already exists (as {@code docker volume create}).
   *
   * @throws VolumeException for an invalid name
   */
  public Volume create(String name) throws IOException {
    return create(name, false);
  }

  /**
   * Creates an anonymous volume, named by 64 random hex digits.
   *
   * @throws IOException if it cannot be written
   */
  public Volume createAnonymous() throws IOException {
    return create(RandomIds.hex64(), true);
  }

  private Volume create(String name, boolean anonymous) throws IOException {
    Path v = volumeDir(name);
    return FileLocks.withExclusive(
        lock(),
        () -> {
          Optional<Volume> existing = read(v);
          if (existing.isPresent()) {
            return existing.get();
          }
          Files.createDirectories(v.resolve("_data"));
          Volume volume =
              new Volume(name, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), anonymous, v);
          AtomicFiles.write(
              v.resolve(RECORD), JsonWriter.toBytes(volume, VolumeCodec.INSTANCE));
          return volume;
        });
  }

  private static Optional<Volume> read(Path v) throws IOException {
    Path record = v.resolve(RECORD);
    if (!Files.isRegularFile(record)) {
      return Optional.empty();
    }
    return Optional.of(JsonFiles.read(record, VolumeCodec.INSTANCE).at(v));
  }

  /**
   * The volume {@code name}, if it exists.
   *
   * @throws VolumeException for an invalid name
   */
  public Optional<Volume> find(String name) throws IOException {
    return read(volumeDir(name));
  }

  /**
   * The volume {@code name}.
   *
   * @throws VolumeException when there is no such volume
   */
  public Volume inspect(String name) throws IOException {
    return find(name).orElseThrow(() -> new VolumeException("no such volume: " + name));
  }

  /**
   * Every volume, sorted by name.
   *
   * @throws IOException if the volumes directory cannot be read
   */
  public List<Volume> list() throws IOException {
    List<Volume> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        if (NAME.matcher(e.getFileName().toString()).matches()) {
          read(e).ifPresent(out::add);
        }
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  /**
   * Removes the volume and its data.
   *
   * @throws VolumeException when it does not exist, or a container uses it
   */
  public void remove(String name) throws IOException {
    Path v = volumeDir(name);
    FileLocks.withExclusive(
        lock(),
        () -> {
          if (read(v).isEmpty()) {
            throw new VolumeException("no such volume: " + name);
          }
          if (users.volumesInUse().contains(name)) {
            throw new VolumeException(
                "volume " + name + " is in use by a container; remove the container first");
          }
          Trees.deleteRecursively(v);
          return null;
        });
  }

  /**
   * Removes volumes no container uses: anonymous ones, or all of them with {@code all}.
   *
   * @return the names removed
   * @throws IOException if listing or deleting fails
   */
  public List<String> prune(boolean all) throws IOException {
    return prune(all, v -> true);
  }

  /**
   * Like {@link #prune(boolean)}, removing only the unused volumes {@code selected} accepts
   * ({@code --filter label=...}).
   *
   * @return the names removed
   * @throws IOException if listing or deleting fails
   */
  public List<String> prune(boolean all, java.util.function.Predicate<Volume> selected)
      throws IOException {
    return FileLocks.withExclusive(
        lock(),
        () -> {
          Set<String> used = users.volumesInUse();
          List<String> removed = new ArrayList<>();
          for (Volume v : list()) {
            if (!used.contains(v.name()) && (all || v.anonymous()) && selected.test(v)) {
              Trees.deleteRecursively(v.directory());
              removed.add(v.name());
            }
          }
          return removed;
        });
  }
}
