package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Which command's model a run builds, and that the full tree is still there for help. */
class MainTest {
  static Stream<Arguments> commandLines() {
    return Stream.of(
        Arguments.of(new String[] {"run", "img", "sh", "-c", "x"}, RunCommand.class),
        Arguments.of(new String[] {"--root", "/s", "ps", "-a"}, PsCommand.class),
        Arguments.of(new String[] {"--root=/s", "--debug", "images"}, ImagesCommand.class),
        Arguments.of(new String[] {"--root", "run", "version"}, VersionCommand.class),
        Arguments.of(new String[] {"container", "ls"}, ContainerCommand.class),
        Arguments.of(new String[] {"help", "run"}, null),
        Arguments.of(new String[] {"--help"}, null),
        Arguments.of(new String[] {"-V"}, null),
        Arguments.of(new String[] {"--", "run"}, null),
        Arguments.of(new String[] {"@args.txt"}, null),
        Arguments.of(new String[] {"ls"}, null),
        Arguments.of(new String[] {"rn", "img"}, null),
        Arguments.of(new String[] {"--root", "/s"}, null),
        Arguments.of(new String[] {}, null));
  }

  @ParameterizedTest
  @MethodSource("commandLines")
  void named_firstWordAfterTopLevelOptions(String[] args, Class<?> expected) {
    assertEquals(expected, Main.named(args));
  }

  @Test
  void named_everyCommandByItsName() {
    for (Class<?> c : Main.SUBCOMMANDS) {
      String name = c.getAnnotation(Command.class).name();
      assertEquals(c == CommandLine.HelpCommand.class ? null : c, Main.named(new String[] {name}));
    }
  }

  @Test
  void execute_help_listsEveryCommand() {
    String help = captureOut(() -> assertEquals(0, Main.execute("--help")));
    for (Class<?> c : Main.SUBCOMMANDS) {
      Command command = c.getAnnotation(Command.class);
      if (!command.hidden()) {
        assertTrue(help.contains("  " + command.name() + " "), command.name() + " in:\n" + help);
      }
    }
  }

  @Test
  void execute_optionsAfterTheImage_belongToTheContainerCommand(@TempDir Path tmp) {
    // Without the run command's model transformer, "-c" would be refused as a run option.
    String root = tmp.resolve("store").toString();
    String err = captureErr(() -> Main.execute("--root", root, "run", "no-such", "sh", "-c", "x"));
    assertFalse(err.contains("Unknown option"), err);
    assertTrue(err.contains("no-such"), err);
  }

  @Test
  void execute_helpAfterEveryCommand_printsItsUsage() {
    for (Class<?> c : Main.SUBCOMMANDS) {
      if (c == picocli.CommandLine.HelpCommand.class || c == TrainCommand.class
          || c == CleanupCommand.class) {
        continue;
      }
      String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
      String out = captureOut(() -> assertEquals(0, Main.execute(name, "--help"), name));
      assertTrue(out.startsWith("Usage: lamina " + name), name + ": " + out);
    }
  }

  @Test
  void execute_help_showsTheRealDefaultAuthFile() {
    String expected = dev.lamina.layerfs.registry.AuthFiles.of(null).writable().toString();
    for (String command : new String[] {"login", "logout", "pull", "push"}) {
      // Help wraps long lines; compare without the wrapping.
      String out = captureOut(() -> Main.execute(command, "--help")).replaceAll("\\s+", "");
      assertTrue(out.contains("(default:" + expected), command + ": " + out);
      assertFalse(out.contains("null/"), command + ": " + out);
    }
  }

  /**
   * picocli's converters left out (see {@link Main#UNUSED_CONVERTERS}) convert to no option's or
   * parameter's type, in any command.
   */
  @Test
  void unusedConverters_noOptionHasTheirTypes() {
    java.util.List<String> patterns = java.util.List.of(Main.UNUSED_CONVERTERS.split(","));
    java.util.Deque<CommandLine> todo = new java.util.ArrayDeque<>();
    todo.add(Main.fullCommandLine(new Main(), CommandModels.load()));
    int args = 0;
    while (!todo.isEmpty()) {
      CommandLine c = todo.pop();
      todo.addAll(c.getSubcommands().values());
      for (CommandLine.Model.ArgSpec a : c.getCommandSpec().args()) {
        args++;
        java.util.List<Class<?>> types = new java.util.ArrayList<>(java.util.List.of(a.auxiliaryTypes()));
        types.add(a.type());
        for (Class<?> t : types) {
          for (String p : patterns) {
            assertFalse(t.getName().matches(p), c.getCommandName() + " " + a + ": " + t.getName());
          }
        }
      }
    }
    assertTrue(args > 100, "options seen: " + args);
  }

  /** The command line a run builds has no converter for java.time or java.sql types. */
  @Test
  void commandLine_leavesOutUnusedConverters() throws Exception {
    String before = System.getProperty(Main.CONVERTER_EXCLUDES);
    String closures = System.getProperty(Main.NO_CLOSURES);
    CommandLine cli = Main.commandLine(new Main(), new String[] {"ps", "-a"}, CommandModels.load());
    assertEquals(before, System.getProperty(Main.CONVERTER_EXCLUDES));
    assertEquals(closures, System.getProperty(Main.NO_CLOSURES));
    for (CommandLine c : java.util.List.of(cli, cli.getSubcommands().get("ps"))) {
      // picocli's registry of converters is private: read through reflection.
      java.lang.reflect.Field f = CommandLine.class.getDeclaredField("interpreter");
      f.setAccessible(true);
      Object interpreter = f.get(c);
      java.lang.reflect.Field r = interpreter.getClass().getDeclaredField("converterRegistry");
      r.setAccessible(true);
      java.util.Map<?, ?> registry = (java.util.Map<?, ?>) r.get(interpreter);
      assertTrue(registry.containsKey(Integer.class));
      assertFalse(registry.containsKey(java.time.Duration.class));
      assertFalse(registry.containsKey(java.sql.Timestamp.class));
    }
  }

  /**
   * A command line looks for no class the jar lacks (picocli's Groovy closures): such a lookup
   * reads the jar's whole directory, where every class comes from the class-data archive.
   */
  @Test
  void commandLine_looksForNoGroovyClass(@TempDir Path tmp) throws Exception {
    Process p =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-Dsun.misc.URLClassPath.debug=true",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--root", tmp.toString(), "ps", "-a")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertFalse(out.contains("groovy/lang/Closure"), out);
  }

  private static String captureOut(Runnable r) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      r.run();
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String captureErr(Runnable r) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(p);
      r.run();
    } finally {
      System.setErr(old);
    }
    return err.toString(StandardCharsets.UTF_8);
  }
}
