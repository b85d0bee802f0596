package dev.lamina.cli;

import dev.lamina.runner.spec.EnvFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code -e} and {@code --env-file}, shared by {@code run} and {@code exec}, with docker's rules. */
@Command
final class EnvOptions {
  @Option(
      names = {"-e", "--env"},
      paramLabel = "KEY[=VALUE]",
      description = "Set an environment variable (KEY alone: take it from here).")
  List<String> env = new ArrayList<>();

  @Option(
      names = "--env-file",
      paramLabel = "FILE",
      description = "Read environment variables from a file.")
  List<Path> envFiles = new ArrayList<>();

  /** The variables as KEY=VALUE: the files first, then {@code -e}, so {@code -e} wins. */
  List<String> resolve() throws IOException {
    List<String> vars = new ArrayList<>();
    for (Path f : envFiles) {
      vars.addAll(EnvFiles.read(f, System.getenv()));
    }
    for (String e : env) {
      EnvFiles.entry(e, System.getenv()).ifPresent(vars::add);
    }
    return vars;
  }
}
