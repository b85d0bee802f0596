package dev.lamina.cli;

import dev.lamina.builder.exec.Workspace;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreRoots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Opens the store a command works on: {@code --root}, else the default root rule. */
@Command
final class StoreOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /**
   * The store root chosen by {@code --root} or the default rule (where an empty {@code
   * LAMINA_ROOT} counts as unset).
   *
   * Every command comes through here, so this is also where what dead builds left is removed.
   *
   * @throws UserException for an empty {@code --root} (which would make the working directory
   *     the store), or a root that exists and is not a directory
   */
  Path root() {
    CommandSpec top = spec;
    while (top.parent() != null) {
      top = top.parent();
    }
    Main main = (Main) top.userObject();
    if (main.root != null && main.root.toString().isEmpty()) {
      throw new UserException("--root is empty; name the store's directory");
    }
    Path root = main.root != null ? main.root.toAbsolutePath() : StoreRoots.defaultRoot();
    // Every command goes through here, also those that only read containers/ (ps -a): a file in
    // the store's place must fail them all alike rather than look like an empty store.
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new UserException("not a directory: " + root);
    }
    try {
      StoreRoots.checkOwner(root);
    } catch (IOException e) {
      throw new UserException(e.getMessage());
    }
    removeDeadBuilds(root);
    return root;
  }

  /** Opens (creating if needed) the store; see {@link #root()}. */
  Store open() throws IOException {
    return Store.open(root());
  }

  /**
   * Removes what builds that died left behind (their network, overlay mounts and scratch
   * directories), so that no command, also one that only reads containers (ps, run), leaves a
   * leaked mount or network in place. One directory read when there is no workspace.
   */
  private static void removeDeadBuilds(Path root) {
    try {
      if (Workspace.anyIn(root)) {
        Workspace.removeStale(Store.open(root));
      }
    } catch (IOException e) {
      // The command itself can still work; the leftover is tried again by the next one.
      System.err.println(
          "lamina: warning: cannot remove a dead build's workspace: " + ErrorHandler.oneLine(e));
    }
  }
}
