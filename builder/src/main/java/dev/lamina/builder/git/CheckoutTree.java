package dev.lamina.builder.git;

import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The layer entries of a checked-out tree, made independent of the host: owned by root, without
 * xattrs, with the modes git writes under umask 022 (directories 0755, files 0644 or 0755 as
 * committed, git's read-only objects 0444, symlinks 0777) whatever umask this process runs under.
 */
final class CheckoutTree {
  private CheckoutTree() {}

  /**
   * Every entry below {@code root} but {@code .git} (a repository's own, or a submodule's link to
   * it) unless {@code keepGitDir}, and but what {@code excludes} matches.
   */
  static List<LayerEntry> entries(Path root, boolean keepGitDir, IgnoreRules excludes)
      throws IOException {
    // No committed path can contain a ".git" component (git refuses them), so every one found
    // is git's.
    Predicate<String> include = p -> (keepGitDir || !isGitPath(p))
        && (excludes.isEmpty() || !excludes.matches(p));
    List<LayerEntry> out = new ArrayList<>();
    for (LayerEntry e : DirectoryScanner.scan(root, include)) {
      out.add(e.withOwner(0, 0).withMode(mode(e)).withXattrs(Map.of()));
    }
    return out;
  }

  static boolean isGitPath(String p) {
    return p.equals(".git") || p.startsWith(".git/") || p.endsWith("/.git")
        || p.contains("/.git/");
  }

  private static int mode(LayerEntry e) {
    if (e.type() == EntryType.DIRECTORY) {
      return 0755;
    }
    if (e.type() == EntryType.SYMLINK) {
      return 0777;
    }
    if ((e.mode() & 0111) != 0) {
      return 0755;
    }
    return (e.mode() & 0200) != 0 ? 0644 : 0444;
  }
}
