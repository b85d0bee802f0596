package dev.lamina.runner;

import dev.lamina.layerfs.overlay.FlattenedRootfs;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.overlay.UpperDiff;
import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.layerfs.store.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Assembles the root filesystem of a container from its image's layers, in a directory holding
 * {@code upper/} and {@code work/} (the disposable writable layer) and {@code rootfs/}: an
 * overlay of the layers under that upper, or where overlayfs cannot be used, a flattened copy of
 * the layers written once into {@code rootfs/} and marked by a {@value #FLATTENED} file. The one
 * place that chooses between the two.
 */
public final class RootfsAssembly {
  /**
   * A file in a container's directory marking that its {@code rootfs/} is a flattened copy of its
   * layers (overlayfs could not be used), so it has no upper to diff.
   */
  public static final String FLATTENED = "flattened";

  private static volatile Listener listener = event -> {};

  private RootfsAssembly() {}

  /** Why a root filesystem is a flattened copy rather than an overlay. */
  public sealed interface Flattened {
    /** overlayfs refused the mount; {@code reason} is the first line of its error. */
    record OverlayRefused(String reason) implements Flattened {}

    /** The image's layers could not even be extracted as overlayfs lowers here. */
    record LayersNotExtractable() implements Flattened {}

    /**
     * Kernel overlayfs refused ({@code reason}) in a user namespace, and fuse-overlayfs stands
     * in: not a flattened copy, but slower.
     */
    record FuseOverlay(String reason) implements Flattened {}
  }

  /**
   * A file in a container's directory marking that its overlay is fuse-overlayfs's, whose upper
   * records deletions in its own form ({@link UpperDiff#fuseOverlayfs}).
   */
  public static final String FUSE = "fuse-overlayfs";

  /**
   * The environment variable that forces a tier: {@code fuse-overlayfs} skips kernel overlayfs
   * (in a user namespace), {@code copy} makes a flattened copy; anything else (or unset) tries the
   * kernel first. Where a tier cannot be had on a host, this is how it is tried anyway.
   */
  public static final String FORCE_ENV = "LAMINA_OVERLAY";

  /** The diff of the upper of container or step directory {@code dir}, in the form it was made. */
  public static UpperDiff upperDiff(Path dir) {
    return Files.exists(dir.resolve(FUSE)) ? UpperDiff.fuseOverlayfs() : UpperDiff.here();
  }

  /** Hears when a root filesystem is made a flattened copy; the caller decides what to say. */
  @FunctionalInterface
  public interface Listener {
    void flattened(Flattened event);
  }

  /**
   * Where the events of this process go (the CLI prints a note once); replaces the one before.
   * Process-wide, as the assembly's methods are.
   */
  public static void reportTo(Listener l) {
    listener = l == null ? event -> {} : l;
  }

  /** Where the root filesystem of the container directory {@code dir} is. */
  public static Path rootfs(Path dir) {
    return dir.resolve("rootfs");
  }

  /** Whether the root filesystem of {@code dir} is a flattened copy, with no upper to diff. */
  public static boolean isFlattened(Path dir) {
    return Files.exists(dir.resolve(FLATTENED));
  }

  /** What a root filesystem is made of: its layers, as overlayfs lowers or as one copy. */
  public interface Layers {
    /** The layers as overlayfs lowers, top-most first; asked only when overlayfs is tried. */
    List<Path> lowersTopFirst() throws IOException;

    /** Applies the layers, bottom-most first, to the empty directory {@code rootfs}. */
    void copyInto(Path rootfs) throws IOException;

    /** Why overlayfs cannot be used, when that is known without trying; then it is not tried. */
    default Optional<IOException> overlayRefusal() throws IOException {
      return Optional.empty();
    }

    /** The layer directories {@code lowersTopFirst}, copied by {@link FlattenedRootfs}. */
    static Layers of(List<Path> lowersTopFirst) {
      return new Layers() {
        @Override
        public List<Path> lowersTopFirst() {
          return lowersTopFirst;
        }

        @Override
        public void copyInto(Path rootfs) throws IOException {
          FlattenedRootfs.assemble(lowersTopFirst, rootfs);
        }
      };
    }
  }

  /** What becomes of what is written into a root filesystem mounted with an upper. */
  public enum Upper {
    /** Kept: a container that may start again, a copy into a stopped one. */
    KEPT,
    /**
     * Thrown away after this use (a {@code --rm} container, a build step), or not written at all
     * (a container's creation, which only reads its image): mounted {@linkplain
     * OverlayMount#volatileUpper volatile}, so that its unmount does not sync the store's whole
     * filesystem.
     */
    DISPOSABLE
  }

  /** How a root filesystem was assembled. */
  public enum Kind {
    /** An overlay: what is written lands in {@code upper/}. */
    OVERLAY,
    /** A flattened copy: what is written changes the copy, and there is no upper. */
    FLATTENED
  }

  /**
   * Mounts the root filesystem of {@code dir}: {@code lowersTopFirst} under its upper; or, when
   * overlayfs refuses, a flattened copy of them. A copy made before is reused as it is. {@code
   * upper} says whether what is written there must outlive a crash of the host.
   *
   * @throws IOException when neither overlayfs nor a copy works (the overlay's error, with the
   *     copy's suppressed)
   */
  public static Kind mount(Path dir, List<Path> lowersTopFirst, Upper upper) throws IOException {
    return mount(dir, Layers.of(lowersTopFirst), upper);
  }

  /**
   * Mounts the root filesystem of {@code dir}: the lowers of {@code layers} under its upper; or,
   * when overlayfs refuses, a flattened copy of the layers. A copy made before is reused as it
   * is. {@code upper} says whether what is written there must outlive a crash of the host.
   *
   * @throws IOException when neither overlayfs nor a copy works (the overlay's error, with the
   *     copy's suppressed)
   */
  public static Kind mount(Path dir, Layers layers, Upper upper) throws IOException {
    unmount(dir);
    if (isFlattened(dir)) {
      return Kind.FLATTENED; // the flattened copy made at its first start is its root filesystem
    }
    String forced = System.getenv(FORCE_ENV) == null ? "" : System.getenv(FORCE_ENV);
    Optional<IOException> refused = forced.equals("copy") || forced.equals(FUSE)
        ? Optional.of(
            new IOException("kernel overlayfs skipped (" + FORCE_ENV + "=" + forced + ")"))
        : layers.overlayRefusal();
    if (refused.isEmpty()) {
      prepareUpper(dir);
      try {
        OverlayMount overlay =
            OverlayMount.of(layers.lowersTopFirst(), dir.resolve("upper"), dir.resolve("work"));
        // The work directory is made anew above, so no earlier volatile mount's mark refuses it.
        (upper == Upper.DISPOSABLE ? overlay.volatileUpper() : overlay).mountOn(rootfs(dir));
        return Kind.OVERLAY;
      } catch (IOException overlayFailed) {
        refused = Optional.of(overlayFailed);
      }
    }
    Optional<Path> fuse = forced.equals("copy") ? Optional.empty() : fuseOverlayfs();
    if (fuse.isPresent()) {
      // In a user namespace kernel overlayfs may be refused (a kernel before 5.11, a policy
      // that forbids it); fuse-overlayfs reads the same lowers, as podman falls back to it.
      prepareUpper(dir);
      try {
        OverlayMount.of(layers.lowersTopFirst(), dir.resolve("upper"), dir.resolve("work"))
            .mountWithFuseOverlayfs(rootfs(dir), fuse.get());
        if (!Files.exists(dir.resolve(FUSE))) {
          Files.createFile(dir.resolve(FUSE));
        }
        listener.flattened(new Flattened.FuseOverlay(firstLine(refused.get().getMessage())));
        return Kind.OVERLAY;
      } catch (IOException fuseFailed) {
        refused.get().addSuppressed(fuseFailed);
      }
    }
    flatten(dir, layers, refused.get());
    return Kind.FLATTENED;
  }

  /** fuse-overlayfs, where it may stand in: in a user namespace, when installed. */
  private static Optional<Path> fuseOverlayfs() {
    if (!Rootless.inUserNamespace()) {
      return Optional.empty();
    }
    for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, FUSE))) {
        return Optional.of(Path.of(d, FUSE));
      }
    }
    return Optional.empty();
  }

  /** An upper and an empty work directory (a crash may have left index/work entries). */
  private static void prepareUpper(Path dir) throws IOException {
    unmount(dir);
    Trees.deleteRecursively(dir.resolve("work"));
    Files.createDirectories(dir.resolve("work"));
    Files.createDirectories(dir.resolve("upper"));
    Files.createDirectories(rootfs(dir));
  }

  /**
   * For an image whose layers could not be extracted (see {@link ContainerImage#plainCopy}): its
   * root filesystem is written once into the rootfs directory, as the flattened fallback does.
   */
  public static void copyImage(Path dir, ContainerImage.PlainCopy copy) throws IOException {
    copy.into(rootfs(dir));
    Files.createFile(dir.resolve(FLATTENED));
    listener.flattened(new Flattened.LayersNotExtractable());
  }

  /** Unmounts everything mounted under {@code dir}. */
  public static void unmount(Path dir) throws IOException {
    OverlayMount.unmountAllUnder(dir);
  }

  /**
   * Where kernel overlayfs cannot be used (no privilege, or a store on a filesystem overlayfs
   * refuses as upper, such as overlayfs itself), the layers are copied once into the rootfs
   * directory, which is then as disposable as an upper. Reported to the {@link Listener}.
   */
  private static void flatten(Path dir, Layers layers, IOException overlayFailed)
      throws IOException {
    Path rootfs = rootfs(dir);
    try {
      unmount(dir);
      Trees.deleteRecursively(rootfs);
      Files.createDirectories(rootfs);
      layers.copyInto(rootfs);
      Files.createFile(dir.resolve(FLATTENED));
    } catch (IOException e) {
      overlayFailed.addSuppressed(e);
      throw overlayFailed;
    }
    listener.flattened(new Flattened.OverlayRefused(firstLine(overlayFailed.getMessage())));
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
