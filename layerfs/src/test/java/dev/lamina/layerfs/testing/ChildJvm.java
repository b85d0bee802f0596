package dev.lamina.layerfs.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Another JVM running a class of the test class path: for what must hold between processes. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code main} with {@code args}; its stderr goes to this process's. */
  public static ProcessBuilder of(Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xmx128m");
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
  }

  /** Starts {@code main} with {@code args}, as {@link #of}. */
  public static Process start(Class<?> main, String... args) throws IOException {
    return of(main, args).start();
  }
}
