package dev.lamina.cli;

import dev.lamina.layerfs.posix.Rootless;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code lamina unshare [CMD...]}: a shell, or CMD, inside the user's namespace, where the store's
 * files show the owners containers see, as {@code podman unshare} does. The command itself runs
 * in the namespace already (see {@link Main}); this only starts CMD there and returns its exit
 * code.
 */
@Command(
    name = "unshare",
    description = "Run a command (default: a shell) in the user's namespace (rootless only).",
    modelTransformer = RunCommand.StopAtImage.class)
final class UnshareCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "CMD", description = "Command and its arguments.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (!Rootless.active()) {
      throw new UserException(
          "unshare is for an unprivileged user: root's commands run in the host's namespaces");
    }
    List<String> argv = new ArrayList<>(command);
    if (argv.isEmpty()) {
      String shell = System.getenv("SHELL");
      argv.add(shell == null || shell.isEmpty() ? "/bin/sh" : shell);
    }
    // The terminal's Ctrl-C is for the command, which shares this process group; this JVM waits.
    SignalHandler previous = Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
    try {
      Process p = new ProcessBuilder(argv).inheritIO().start();
      return p.waitFor();
    } catch (java.io.IOException e) {
      throw new UserException("cannot run " + argv.get(0) + ": " + e.getMessage(),
          ExitCodes.NOT_FOUND);
    } finally {
      Signal.handle(new Signal("INT"), previous);
    }
  }
}
