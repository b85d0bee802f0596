package dev.lamina.cli;

import dev.lamina.runner.Containers;
import dev.lamina.runner.ExecRequest;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.spec.EnvFiles;
import java.nio.file.Path;
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

  @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]", description = "Set an environment variable.")
  List<String> env = new ArrayList<>();

  @Option(names = "--env-file", paramLabel = "FILE", description = "Read environment variables from a file.")
  List<Path> envFiles = new ArrayList<>();

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
    List<String> vars = new ArrayList<>();
    for (Path f : envFiles) {
      vars.addAll(EnvFiles.read(f, System.getenv()));
    }
    for (String e : env) {
      EnvFiles.entry(e, System.getenv()).ifPresent(vars::add);
    }
    ExecRequest request = new ExecRequest(command, vars, user, workdir, tty);
    try {
      return ContainerSupport.open(store.root()).exec(container, request, interactive);
    } catch (OciRuntimeException e) {
      throw new UserException(ErrorHandler.oneLine(e), Containers.failureExitCode(e.getMessage()));
    }
  }
}
