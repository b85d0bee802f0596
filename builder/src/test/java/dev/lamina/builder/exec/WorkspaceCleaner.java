package dev.lamina.builder.exec;

import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.ChildJvm;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Another process removing a store's stale build workspaces: {@code ROOT}. */
public final class WorkspaceCleaner {
  private WorkspaceCleaner() {}

  public static void main(String[] args) throws Exception {
    System.out.println(Workspace.removeStale(Store.open(Path.of(args[0]))));
  }

  /** Runs this class in a new JVM with the test class path; returns how many it removed. */
  static int run(Path root) throws Exception {
    Process p = ChildJvm.start(WorkspaceCleaner.class, root.toString());
    String out = new String(p.getInputStream().readAllBytes()).strip();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError("cleaner failed: " + out);
    }
    return Integer.parseInt(out);
  }
}
