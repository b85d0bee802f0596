package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commands' models the build wrote are the annotations' models: the same help and the same
 * attributes for every command, the same output, errors and exit codes for a command line; and
 * a command runs without reading an annotation.
 */
class CommandModelsTest {
  @Test
  void everyCommand_hasTheHelpAndAttributesOfItsAnnotations() {
    CommandModels models = CommandModels.load();
    assertNotNull(models, "the build writes " + CommandModels.RESOURCE);
    String annotations = CommandModelWriter.dump(Main.fullCommandLine(new Main(), null));
    String fromModels = CommandModelWriter.dump(Main.fullCommandLine(new Main(), models));
    assertEquals(annotations, fromModels);
    for (Class<?> c : Main.SUBCOMMANDS) {
      assertTrue(annotations.contains("userObject: " + c.getName() + "\n"), c.getName());
    }
  }

  static Stream<List<String>> commandLines() {
    return Stream.of(
        List.of(),
        List.of("--help"),
        List.of("-h", "run", "--rm", "img"),
        List.of("-V"),
        List.of("--debug"),
        List.of("--", "run"),
        List.of("help"),
        List.of("help", "volume", "create"),
        List.of("rn", "volume"),
        List.of("help", "run"),
        List.of("run", "--help"),
        List.of("run"),
        List.of("run", "--bogus", "img"),
        List.of("run", "--cpus", "many", "img"),
        List.of("rn", "img"),
        List.of("volume"),
        List.of("volume", "create", "--help"),
        List.of("images", "--format"),
        List.of("ps", "-a", "extra"),
        List.of("login", "--help"),
        List.of("--debug", "tag"),
        List.of("version", "--format", "json"),
        // A parameter consumer (build --pull takes a policy only when one follows).
        List.of("build", "--pull", "/nonexistent-context"),
        List.of("build", "--pull", "never", "/nonexistent-context"));
  }

  @ParameterizedTest
  @MethodSource("commandLines")
  void aCommandLine_givesWhatItsAnnotationsGive(List<String> args, @TempDir Path tmp) {
    List<String> withRoot = new ArrayList<>(List.of("--root", tmp.resolve("store").toString()));
    withRoot.addAll(args);
    String[] a = withRoot.toArray(String[]::new);
    assertEquals(outcome(null, a), outcome(CommandModels.load(), a));
  }

  private static String outcome(CommandModels models, String[] args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = Main.execute(models, args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return "exit " + code + "\nout:\n" + out.toString(StandardCharsets.UTF_8)
        + "\nerr:\n" + err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCommand_readsNoAnnotation() throws Exception {
    // The JDK reads annotations through dynamic proxies: their classes show in the class log.
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(), "-Xlog:class+load=info", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "version")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains("Version:"), log);
    assertFalse(log.contains("__dynamic_proxy__"),
        log.lines().filter(l -> l.contains("__dynamic_proxy__")).toList().toString());
  }

  /**
   * The build's constants (see {@link BuiltData}) are the resources it writes: the models, and
   * the stored help.
   */
  @Test
  void builtData_isTheResources() throws Exception {
    String[] parts = BuiltData.model();
    assertNotNull(parts, "the build writes BuiltData");
    byte[] resource;
    try (var in = CommandModels.class.getResourceAsStream(CommandModels.RESOURCE)) {
      resource = in.readAllBytes();
    }
    assertEquals(
        java.util.Arrays.toString(resource),
        java.util.Arrays.toString(
            String.join("", parts).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    try (var in = QuickCommands.class.getResourceAsStream(QuickCommands.HELP_RESOURCE)) {
      assertEquals(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII),
          BuiltData.help());
    }
  }
}
