package dev.lamina.layerfs.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The content store at {@code $LAMINA_ROOT}:
 *
 * <pre>
 * images/      a valid OCI image layout (oci-layout, index.json, blobs/&lt;alg&gt;/&lt;hex&gt;)
 * layers/      extracted layers (owned by the layer code)
 * containers/  container records (owned by the runner)
 * volumes/     named volumes (owned by the runner)
 * cache/       build cache (owned by the builder)
 * tmp/         in-flight writes; stale entries are removed when the store is opened
 * locks/       lock files
 * reserve      space set aside so that rmi works on a full file system
 * </pre>
 *
 * <p>A {@code Store} is cheap and thread-safe; several processes may open the same root at once.
 */
public final class Store {
  private static final AtomicLong ASIDE_COUNTER = new AtomicLong();

  private final Path root;
  private final TempArea temp;
  private final FileLocks gcLock;
  private final OciLayout images;
  private volatile dev.lamina.layerfs.events.EventListener events;

  private Store(Path root) throws IOException {
    this.root = root;
    this.events = dev.lamina.layerfs.events.EventJournal.at(root);
    Path locks = Files.createDirectories(root.resolve("locks"));
    this.temp = new TempArea(root.resolve("tmp"), "blob-", FileLocks.of(locks.resolve("tmp.lock")));
    this.gcLock = FileLocks.of(locks.resolve("gc.lock"));
    this.images =
        OciLayout.inStore(
            root.resolve("images"),
            temp,
            gcLock::shared,
            FileLocks.of(locks.resolve("images.lock")),
            new SpaceReserve(root.resolve("reserve")));
  }

  /**
   * Opens (creating if needed) the store at {@code root} and removes temp files that no live
   * process is writing, e.g. those of a writer that was killed.
   *
   * @throws NotDirectoryException if {@code root} exists and is not a directory
   * @throws IOException if the directories cannot be created, or {@code images/} exists but is not
   *     an OCI image layout
   */
  public static Store open(Path root) throws IOException {
    Path abs = root.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new NotDirectoryException(abs.toString());
    }
    Files.createDirectories(abs);
    Store store = new Store(abs);
    Files.createDirectories(store.temp.dir());
    store.temp.clean();
    store.images.refillReserve();
    return store;
  }

  /**
   * Where this store's work is reported (tags, removals, pulls, pushes, builds): its event
   * journal unless {@link #reportEventsTo} said otherwise.
   */
  public dev.lamina.layerfs.events.EventListener events() {
    return events;
  }

  /** Reports this store's events to {@code listener} instead of the journal. */
  public Store reportEventsTo(dev.lamina.layerfs.events.EventListener listener) {
    this.events = listener;
    return this;
  }

  /** The root directory. */
  public Path root() {
    return root;
  }

  /** The image layout directory ({@code images/}). */
  public Path imagesDir() {
    return images.dir();
  }

  /** {@code layers/}: not created here; its owner creates it. */
  public Path layersDir() {
    return root.resolve("layers");
  }

  /** {@code containers/}: not created here; its owner creates it. */
  public Path containersDir() {
    return root.resolve("containers");
  }

  /** {@code volumes/}: not created here; its owner creates it. */
  public Path volumesDir() {
    return root.resolve("volumes");
  }

  /** {@code cache/}: not created here; its owner creates it. */
  public Path cacheDir() {
    return cacheDirOf(root);
  }

  /** Where the store at {@code root} keeps build caches, without opening it. */
  public static Path cacheDirOf(Path root) {
    return root.resolve("cache");
  }

  /** {@code tmp/}, on the store's file system: for other owners' in-flight files. */
  public Path tmpDir() {
    return temp.dir();
  }

  /**
   * A new, empty file in {@code tmp/} that no clean-up removes while it is open; closing it
   * deletes it. For input that must have arrived whole before it can be read (an archive on
   * stdin, whose kind and manifest are known only at its end).
   */
  public Scratch scratch() throws IOException {
    return new Scratch(temp.create());
  }

  /** A temp file of {@link #scratch()}. */
  public static final class Scratch implements AutoCloseable {
    private final TempArea.TempFile file;

    private Scratch(TempArea.TempFile file) {
      this.file = file;
    }

    public Path path() {
      return file.path();
    }

    /**
     * Writes to the file through the descriptor that holds its lock (opening and closing another
     * one would drop the lock).
     */
    public java.io.OutputStream output() {
      return java.nio.channels.Channels.newOutputStream(file.channel());
    }

    /** Deletes the file. */
    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  /** {@code locks/}: where other owners may put their lock files. */
  public Path locksDir() {
    return root.resolve("locks");
  }

  /**
   * Takes {@code dir}, a directory of the store, away from its name in one step: it is renamed
   * into {@code tmp/}, where the caller deletes it (see {@link Trees#deleteRecursively}). Why:
   * deleting a large tree takes long, and a process killed half-way must not leave a partial
   * tree under a name whose existence means "complete" (an extracted layer); a renamed-aside tree
   * that its deleter did not finish is debris the next {@link #open} removes.
   *
   * @return where the directory now is, or null if it did not exist
   * @throws IOException if it cannot be renamed (it is then unchanged)
   */
  public Path setAside(Path dir) throws IOException {
    Files.createDirectories(temp.dir());
    Path aside =
        temp.dir()
            .resolve(
                "aside-"
                    + ProcessHandle.current().pid()
                    + "-"
                    + ASIDE_COUNTER.incrementAndGet()
                    + "-"
                    + System.nanoTime());
    try {
      AtomicFiles.moveAtomically(dir, aside);
    } catch (NoSuchFileException e) {
      return null;
    }
    return aside;
  }

  /** The store's blobs (those of {@code images/}). */
  public BlobStore blobs() {
    return images.blobs();
  }

  /** The image layout itself (for transports that copy whole layouts). */
  public OciLayout layout() {
    return images;
  }

  /** The images, with no container usage known (rmi never refuses). */
  public Images images() {
    return images(ImageUsage.NONE);
  }

  /** The images; {@code usage} says which images containers use, so removing them is refused. */
  public Images images(ImageUsage usage) {
    return new StoreImages(this, usage, null);
  }

  /**
   * The images, as {@link #images(ImageUsage)}; when removing an image's last name deletes its
   * blobs, {@code released} runs too (under the GC lock, as a prune hook), so the other owners
   * drop what they kept for it (its extracted layers), as podman's rmi does.
   */
  public Images images(ImageUsage usage, PruneHook released) {
    return new StoreImages(this, usage, released);
  }

  /**
   * Takes a lease (the GC lock, shared): hold it from writing an image's first blob until the
   * image is tagged. Blocks while a prune runs.
   *
   * @throws IOException if the lock file cannot be locked
   */
  public Lease lease() throws IOException {
    FileLocks.Held held = gcLock.shared();
    return held::close;
  }

  /** The GC lock held exclusively: nobody is writing. */
  FileLocks.Held collecting() throws IOException {
    return gcLock.exclusive();
  }

  /** The GC lock exclusively if it is free right now, else null. */
  FileLocks.Held tryCollecting() throws IOException {
    return gcLock.tryExclusive();
  }

  /** A consistency check of this store. */
  public StoreCheck check() {
    return new StoreCheck(this);
  }

  /** The garbage collector of this store. */
  public StorePrune prune() {
    return new StorePrune(this);
  }

  /** Disk usage of this store's parts. */
  public StoreUsage usage() {
    return new StoreUsage(this);
  }

  @Override
  public String toString() {
    return "store " + root;
  }
}
