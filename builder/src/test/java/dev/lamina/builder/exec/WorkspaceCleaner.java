package dev.lamina.builder.exec;

import dev.lamina.layerfs.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Another process removing a store's stale build workspaces: {@code ROOT}. */
public final class WorkspaceCleaner {
  private WorkspaceCleaner() {}

  public static void main(String[] args) throws Exception {
    System.out.println(Workspace.removeStale(Store.open(Path.of(args[0]))));
  }

  /** Runs this class in a new JVM with the test class path; returns how many it removed. */
  static int run(Path root) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WorkspaceCleaner.class.getName());
    cmd.add(root.toString());
    Process p =
        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError("cleaner failed: " + out);
    }
    return Integer.parseInt(out);
  }
}
