package dev.lamina.cli;

import dev.lamina.runner.Containers;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina kill [-s SIGNAL] CONTAINER...}. */
@Command(name = "kill", description = "Send a signal (default SIGKILL) to running containers.")
final class KillCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "KILL", description = "Signal name or number (default KILL).")
  String signal;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() {
    String sig = signal.toUpperCase(java.util.Locale.ROOT);
    if (!sig.matches("(SIG)?[A-Z0-9+-]+")) {
      throw new UserException("invalid signal: " + signal, ExitCodes.USAGE);
    }
    Containers containers = ContainerSupport.open(store.root());
    return Each.report(containers.kill(refs, sig));
  }
}
