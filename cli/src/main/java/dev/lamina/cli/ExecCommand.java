package dev.lamina.cli;

import dev.lamina.runner.ExecRequest;
import dev.lamina.runner.runtime.OciRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina exec [-i] [-t] [-e] [-u] [-w] CONTAINER COMMAND...}; its exit code is ours. */
@Command(
    name = "exec",
    description = "Run a command in a running container.",
    modelTransformer = RunCommand.StopAtImage.class)
final class ExecCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-i", "--interactive"}, description = "Keep stdin open (pass it on).")
  boolean interactive;

  @Option(names = {"-t", "--tty"}, description = "Give the process a pseudo-terminal.")
  boolean tty;

  @Mixin EnvOptions env;


  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User (name or uid) to run as.")
  String user;

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory.")
  String workdir;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "Command and arguments.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (tty) {
      Terminals.requireTerminal();
    }
    ExecRequest request = new ExecRequest(command, env.resolve(), user, workdir, tty);
    try {
      return ContainerSupport.open(store.root()).exec(container, request, interactive);
    } catch (OciRuntimeException e) {
      throw new UserException(ErrorHandler.oneLine(e), e.exitCode());
    }
  }
}
