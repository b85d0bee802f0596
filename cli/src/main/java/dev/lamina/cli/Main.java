package dev.lamina.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** The {@code lamina} command: options are mapped onto library calls by one class per command. */
@Command(
    name = "lamina",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Build, store and run OCI container images, without a daemon.",
    subcommands = {
      BuildCommand.class,
      CheckCommand.class,
      RunCommand.class,
      PsCommand.class,
      LogsCommand.class,
      StopCommand.class,
      KillCommand.class,
      RmCommand.class,
      ExecCommand.class,
      CommitCommand.class,
      ContainerCommand.class,
      VolumeCommand.class,
      MonitorCommand.class,
      ImportCommand.class,
      LoadCommand.class,
      SaveCommand.class,
      PushCommand.class,
      PullCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      ImagesCommand.class,
      InspectCommand.class,
      HistoryCommand.class,
      TagCommand.class,
      RmiCommand.class,
      SystemCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "Store root (default: $LAMINA_ROOT, /var/lib/lamina for root).",
      scope = CommandLine.ScopeType.INHERIT)
  Path root;

  @Option(
      names = "--debug",
      description = "Print stack traces of errors.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "a command is required (see 'lamina --help')");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code (for tests). */
  public static int execute(String... args) {
    ErrorHandler handler = new ErrorHandler();
    CommandLine cli =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(handler)
            .setParameterExceptionHandler(handler)
            .setCaseInsensitiveEnumValuesAllowed(true);
    return cli.execute(args);
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
