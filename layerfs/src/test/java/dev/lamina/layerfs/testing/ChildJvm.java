package dev.lamina.layerfs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Another JVM running a class of the test class path: for what must hold between processes. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code main} with {@code args}; its stderr goes to this process's. */
  public static ProcessBuilder of(Class<?> main, String... args) {
    return new ProcessBuilder(command(main, List.of(), args))
        .redirectError(ProcessBuilder.Redirect.INHERIT);
  }

  /** Starts {@code main} with {@code args}, as {@link #of}. */
  public static Process start(Class<?> main, String... args) throws IOException {
    return of(main, args).start();
  }

  /**
   * Runs {@code main} with {@code args}, every class load logged to its output, and checks that
   * it ended well, printing {@code done}: to see which classes a piece of work loads in a JVM of
   * its own.
   *
   * @return its output, class loads included
   */
  public static String classLoads(Class<?> main, String done, String... args) throws Exception {
    Process p = new ProcessBuilder(
        command(main, List.of("-Xlog:class+load=info:stdout"), args))
        .redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    String log = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains(done), log);
    return log;
  }

  private static List<String> command(Class<?> main, List<String> options, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xmx128m");
    cmd.addAll(options);
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }
}
