package dev.lamina.cli;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.runner.RootfsAssembly;
import dev.lamina.runner.userns.UserNamespace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** The {@code lamina} command: options are mapped onto library calls by one class per command. */
@Command(
    name = "lamina",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Build, store and run OCI container images, without a daemon.")
public final class Main implements Runnable {
  /**
   * Every command, in the order help lists them. They are registered here rather than in the
   * annotation so that a run builds the model of only the command it names (see {@link
   * #execute}): picocli's models cost reflection over every option of every command, a good part
   * of a short command's start-up.
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          BuildCommand.class,
          CheckCommand.class,
          RunCommand.class,
          CreateCommand.class,
          StartCommand.class,
          RestartCommand.class,
          WaitCommand.class,
          PortCommand.class,
          PsCommand.class,
          LogsCommand.class,
          AttachCommand.class,
          StopCommand.class,
          KillCommand.class,
          RmCommand.class,
          ExecCommand.class,
          CpCommand.class,
          DiffCommand.class,
          ExportCommand.class,
          TopCommand.class,
          StatsCommand.class,
          PauseCommand.class,
          PauseCommand.Unpause.class,
          CommitCommand.class,
          ContainerCommand.class,
          VolumeCommand.class,
          NetworkCommand.class,
          CleanupCommand.class,
          RestartPolicyCommand.class,
          HealthcheckCommand.class,
          EventsCommand.class,
          TrainCommand.class,
          ImportCommand.class,
          LoadCommand.class,
          SaveCommand.class,
          PushCommand.class,
          PullCommand.class,
          LoginCommand.class,
          LogoutCommand.class,
          ImagesCommand.class,
          ImageCommand.class,
          BuilderCommand.class,
          InspectCommand.class,
          HistoryCommand.class,
          TagCommand.class,
          RmiCommand.class,
          SystemCommand.class,
          UnshareCommand.class,
          VersionCommand.class,
          CompletionCommand.class,
          CompletionCommand.Names.class,
          ManCommand.class,
          CommandLine.HelpCommand.class);

  /**
   * picocli's converters that no option needs, by the classes they convert to: java.time's and
   * java.sql's. picocli looks each of them up by reflection for every command line it makes,
   * initialising the java.time classes and loading java.sql's: milliseconds of every command's
   * start. (No option has such a type: {@code MainTest} checks.)
   */
  static final String UNUSED_CONVERTERS = "java\\.time\\..*,java\\.sql\\..*";

  /** The system property through which picocli leaves out built-in converters. */
  static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

  /**
   * The system property that keeps picocli from looking for Groovy's closures (no command is
   * written in Groovy): that lookup of a class the jar does not have would open the jar and read
   * its directory of some 7,000 entries, where every class comes from the class-data archive.
   */
  static final String NO_CLOSURES = "picocli.disable.closures";

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "Store root (default: $LAMINA_ROOT, /var/lib/lamina for root).",
      scope = CommandLine.ScopeType.INHERIT)
  Path root;

  /** {@code --network-config-dir}: where network definitions live (podman's option). */
  @Option(
      names = "--network-config-dir",
      paramLabel = "DIR",
      description = "Network definitions (default: $LAMINA_NETWORK_CONFIG_DIR, /etc/lamina/networks for root).",
      scope = CommandLine.ScopeType.INHERIT)
  Path networkConfigDir;

  @Option(
      names = "--debug",
      description = "Print stack traces of errors.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "a command is required");
  }

  public static void main(String[] args) {
    if (UserNamespace.needed()) {
      enterUserNamespace();
    }
    System.exit(execute(Arguments.withBytes(args)));
  }

  /**
   * An unprivileged user's command runs inside the user's namespace (see {@link UserNamespace}):
   * this JVM is replaced by itself there, before it has done anything else. A failure is one line
   * and exit code 125, as any error.
   */
  private static void enterUserNamespace() {
    try {
      UserNamespace userns = UserNamespace.ofThisUser();
      UserNamespace.Entry entry = userns.ensure();
      if (entry.note() != null) {
        System.err.println("lamina: note: " + entry.note());
      }
      userns.reenter(entry);
    } catch (IOException | RuntimeException e) {
      System.err.println("lamina: " + ErrorHandler.oneLine(e));
      System.exit(ExitCodes.ERROR);
    }
  }

  /** Runs the CLI and returns its exit code (for tests). */
  public static int execute(String... args) {
    Integer quick = QuickCommands.run(args);
    if (quick != null) {
      return quick;
    }
    return execute(CommandModels.load(), args);
  }

  /** Runs the CLI with the commands' models from {@code models}, or their annotations if null. */
  static int execute(CommandModels models, String... args) {
    RootfsAssembly.reportTo(new FlattenNote(System.err));
    NetworkCommand.configDir = null;
    ErrorHandler handler = new ErrorHandler();
    Main main = new Main();
    CommandLine cli = commandLine(main, args, models);
    cli.setExecutionExceptionHandler(handler).setParameterExceptionHandler(handler);
    // The network options are read where networks are made, deep in commands: set before any runs.
    cli.setExecutionStrategy(parsed -> {
      NetworkCommand.configDir = main.networkConfigDir;
      return new CommandLine.RunLast().execute(parsed);
    });
    try {
      return cli.execute(args);
    } catch (Throwable t) {
      // picocli hands only Exceptions to the handler; an Error (a stack overflow, no memory
      // left) would end the JVM with a stack trace. By now the stack has unwound and what the
      // failed command held is garbage, so printing one line is possible.
      return handler.handleThrowable(t, cli.getErr(), main.debug);
    }
  }

  /**
   * The command line for {@code args}: the top-level command with the one command {@code args}
   * name (see {@link #word}), else with all of them. Built from {@code models} (see {@link
   * CommandModels}) or, when there are none, from the annotations. From models, a command line
   * that names no command at all (top-level help or version, no command, an unknown word) gets
   * each command's outline (see {@link CommandModels#outlines}), all that it shows of them.
   */
  static CommandLine commandLine(Main main, String[] args, CommandModels models) {
    return withoutUnusedParts(() -> build(main, args, models));
  }

  /**
   * What {@code build} makes, without picocli's parts no command needs: its converters for types
   * no option has ({@link #UNUSED_CONVERTERS}), which it registers as it makes a command line,
   * and its support for Groovy closures ({@link #NO_CLOSURES}), set up as it makes the first. The
   * properties are as they were afterwards (one set would turn quick help off, see {@link
   * QuickCommands}); one the user set is kept.
   */
  private static CommandLine withoutUnusedParts(
      java.util.function.Supplier<CommandLine> build) {
    java.util.Map<String, String> settings =
        java.util.Map.of(CONVERTER_EXCLUDES, UNUSED_CONVERTERS, NO_CLOSURES, "true");
    List<String> set = new java.util.ArrayList<>();
    try {
      settings.forEach((key, value) -> {
        if (System.getProperty(key) == null) {
          System.setProperty(key, value);
          set.add(key);
        }
      });
      return build.get();
    } finally {
      set.forEach(System::clearProperty);
    }
  }

  private static CommandLine build(Main main, String[] args, CommandModels models) {
    String word = word(args);
    if (models == null) {
      Class<?> named = word == null ? null : byName(word);
      return tree(new CommandLine(main), annotated(named != null ? List.of(named) : SUBCOMMANDS));
    }
    List<CommandLine> subcommands;
    if (word != null && models.has(word)) {
      subcommands = List.of(models.command(word));
    } else if (models.mayNameACommand(args)) {
      subcommands = models.all();
    } else {
      subcommands = models.outlines();
    }
    return tree(new CommandLine(models.root(main)), subcommands);
  }

  /** The top-level command with every command in full, from {@code models} or annotations. */
  static CommandLine fullCommandLine(Main main, CommandModels models) {
    return models == null
        ? tree(new CommandLine(main), annotated(SUBCOMMANDS))
        : tree(new CommandLine(models.root(main)), models.all());
  }

  private static List<CommandLine> annotated(List<Class<?>> commands) {
    // A CommandLine of its own applies the command's model transformer (see RunCommand),
    // which picocli otherwise applies only to a tree built from annotations.
    return commands.stream().map(c -> HelpOption.addTo(new CommandLine(c))).toList();
  }

  private static CommandLine tree(CommandLine root, List<CommandLine> subcommands) {
    subcommands.forEach(root::addSubcommand);
    HelpOption.showDefaultAuthFile(root);
    return root.setCaseInsensitiveEnumValuesAllowed(true)
        // A path argument keeps every byte (see Arguments).
        .registerConverter(Path.class, FileNames::path);
  }

  /**
   * The command {@code args} name, when only its model is needed: the first argument after the
   * top-level options, if it is a command's name or alias. Null for anything else (no command,
   * {@code help}, help or version options, an unknown word, an {@code @file}), which then gets
   * the whole tree, so usage, suggestions and errors stay what they are.
   */
  static Class<?> named(String[] args) {
    String word = word(args);
    return word == null ? null : byName(word);
  }

  /**
   * The first argument after the top-level options, when it may name a command: null when it
   * is an option or an {@code @file}, or when there is none.
   */
  static String word(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--root") || a.equals("--network-config-dir")) {
        i++;
      } else if (!a.equals("--debug") && !a.startsWith("--root=")
          && !a.startsWith("--network-config-dir=")) {
        return a.startsWith("-") || a.startsWith("@") || a.equals("help") ? null : a;
      }
    }
    return null;
  }

  private static Class<?> byName(String name) {
    for (Class<?> c : SUBCOMMANDS) {
      Command command = c.getAnnotation(Command.class);
      if (c != CommandLine.HelpCommand.class
          && (command.name().equals(name) || List.of(command.aliases()).contains(name))) {
        return c;
      }
    }
    return null;
  }

  static boolean debug(ParseResult parseResult) {
    ParseResult root = parseResult;
    while (root.commandSpec().parent() != null) {
      root = root.commandSpec().parent().commandLine().getParseResult();
    }
    Object top = root.commandSpec().userObject();
    return top instanceof Main m && m.debug;
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"lamina " + version()};
    }
  }
}
