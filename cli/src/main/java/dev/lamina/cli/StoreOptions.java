package dev.lamina.cli;

import dev.lamina.builder.exec.Workspace;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreRoots;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Opens the store a command works on: {@code --root}, else the default root rule. */
@Command
final class StoreOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** The store root chosen by {@code --root} or the default rule. */
  Path root() {
    CommandSpec top = spec;
    while (top.parent() != null) {
      top = top.parent();
    }
    Main main = (Main) top.userObject();
    return main.root != null ? main.root.toAbsolutePath() : StoreRoots.defaultRoot();
  }

  /**
   * Opens (creating if needed) the store, and removes what builds that died left behind (their
   * overlay mounts and scratch directories), so that no command leaves a leaked mount in place.
   */
  Store open() throws IOException {
    Store store = Store.open(root());
    try {
      Workspace.removeStale(store);
    } catch (IOException e) {
      // The command itself can still work; the leftover is tried again by the next one.
      System.err.println(
          "lamina: warning: cannot remove a dead build's workspace: " + ErrorHandler.oneLine(e));
    }
    return store;
  }
}
