package dev.lamina.runner.image;

import dev.lamina.layerfs.overlay.MountPoints;
import dev.lamina.layerfs.overlay.UpperDiff;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.Whiteouts;
import dev.lamina.runner.ContainerException;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.Containers;
import dev.lamina.runner.RootfsAssembly;
import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code lamina diff}: what a container changed in its image's filesystem, as {@code docker diff}
 * lists it: {@code A} added, {@code C} changed (a directory holding changes included), {@code D}
 * deleted. An image directory with no change under it is not listed, even when copied up. Read from its overlay upper (the runtime's mount points left out, as in {@code
 * commit}); whether a path was added or changed is whether the image's layers have it.
 */
public final class ContainerChanges {
  /** One change. */
  public record Change(char kind, String path) {
    @Override
    public String toString() {
      return kind + " " + path;
    }
  }

  private ContainerChanges() {}

  /**
   * The changes of container {@code ref}, sorted by path.
   *
   * @throws ContainerException when it runs on a flattened copy, which keeps no upper
   */
  public static List<Change> of(Containers containers, String ref) throws IOException {
    ContainerRecord record = containers.inspect(ref);
    Path bundle = containers.bundle(ref);
    Path upper = bundle.resolve("upper");
    if (!Files.isDirectory(upper) || RootfsAssembly.isFlattened(bundle)) {
      throw new ContainerException("cannot list the changes of " + record.name()
          + ": it runs on a flattened copy of its layers (overlayfs was not usable)");
    }
    RuntimeSpec spec = JsonFiles.read(bundle.resolve("config.json"), RuntimeSpecCodec.INSTANCE);
    Set<String> artifacts =
        MountPoints.createdIn(upper, spec.mounts().stream().map(RuntimeSpec.Mount::destination)
            .toList());
    List<Path> lowers = record.lowerDirs().stream().map(Path::of).toList();
    List<Change> changes = new ArrayList<>();
    Set<String> directories = new java.util.HashSet<>();
    for (LayerEntry e : RootfsAssembly.upperDiff(upper.getParent()).entries(upper, artifacts)) {
      if (e.type() == dev.lamina.layerfs.tar.EntryType.DIRECTORY) {
        directories.add("/" + e.path().replaceAll("/+$", ""));
      }
      String path = e.path().replaceAll("/+$", "");
      int slash = path.lastIndexOf('/');
      String dir = slash < 0 ? "" : path.substring(0, slash + 1);
      String name = path.substring(slash + 1);
      if (Whiteouts.isOpaque(name)) {
        continue; // the directory itself is listed
      }
      if (Whiteouts.isWhiteout(name)) {
        changes.add(new Change('D', "/" + dir + name.substring(Whiteouts.PREFIX.length())));
      } else {
        changes.add(new Change(inLowers(lowers, path) ? 'C' : 'A', "/" + path));
      }
    }
    changes.sort((a, b) -> a.path().compareTo(b.path()));
    // A directory of the image copied up only to hold the runtime's mount points (/etc for
    // /etc/hosts) is no change of the container's: docker keeps those in a layer of their own.
    java.util.TreeSet<String> paths = new java.util.TreeSet<>();
    changes.forEach(c -> paths.add(c.path()));
    List<Change> kept = new ArrayList<>();
    for (Change c : changes) {
      String under = paths.ceiling(c.path() + "/");
      boolean holdsChanges = under != null && under.startsWith(c.path() + "/");
      if (c.kind() == 'C' && directories.contains(c.path()) && !holdsChanges) {
        continue;
      }
      kept.add(c);
    }
    return kept;
  }

  /**
   * Whether the image has {@code path}: the top-most layer that mentions it does, and not as a
   * deletion (a 0:0 character device, in the extracted layers' overlay format).
   */
  private static boolean inLowers(List<Path> lowersTopFirst, String path) throws IOException {
    for (Path lower : lowersTopFirst) {
      FileStat st;
      try {
        st = Posix.lstat(FileNames.resolve(lower, path));
      } catch (NoSuchFileException absent) {
        continue;
      }
      return !(st.isCharDevice() && st.rdevMajor() == 0 && st.rdevMinor() == 0);
    }
    return false;
  }
}
