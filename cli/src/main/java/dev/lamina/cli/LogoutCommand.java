package dev.lamina.cli;

import dev.lamina.layerfs.registry.AuthFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina logout REGISTRY | --all}: removes stored credentials. */
@Command(name = "logout", description = "Remove the stored credentials of a registry.")
final class LogoutCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "REGISTRY",
      description = "HOST[:PORT] of the registry.")
  String registry;

  @Option(names = {"-a", "--all"}, description = "Remove the credentials of every registry.")
  boolean all;

  @Option(names = "--authfile", paramLabel = "FILE", description = "Auth file to edit (default: ${sys:lamina.authfile}).")
  Path authFile;

  @Override
  public Integer call() throws Exception {
    if (all == (registry != null)) {
      throw new UserException("give a REGISTRY or --all", ExitCodes.USAGE);
    }
    AuthFiles files = AuthFiles.of(authFile);
    if (all) {
      files.remove(null);
      Output.out().println("Removed login credentials for all registries");
      return ExitCodes.OK;
    }
    String host = LoginCommand.host(registry);
    if (!files.remove(host)) {
      throw new UserException("not logged into " + host + " (in " + files.writable() + ")");
    }
    Output.out().println("Removed login credentials for " + host);
    return ExitCodes.OK;
  }
}
