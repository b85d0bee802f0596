package dev.lamina.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lamina completion bash|zsh|fish}: a shell completion script, on stdout. */
@Command(
    name = "completion",
    description = "Print a shell completion script for bash, zsh or fish.")
final class CompletionCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SHELL", description = "bash, zsh or fish.")
  String shell;

  @Override
  public Integer call() {
    var model = CommandModel.full();
    String script = switch (shell) {
      case "bash" -> CompletionScripts.bash(model);
      case "zsh" -> CompletionScripts.zsh(model);
      case "fish" -> CompletionScripts.fish(model);
      default -> throw new UserException(
          "unknown shell " + shell + " (want bash, zsh or fish)", ExitCodes.USAGE);
    };
    Output.out().print(script);
    Output.out().flush();
    return ExitCodes.OK;
  }

  /**
   * {@code lamina __complete KIND} (hidden): the names the completion scripts offer, one a line:
   * {@code images} (names and short ids), {@code containers} (names and short ids), {@code
   * volumes}, {@code networks}. A store that cannot be read offers none.
   */
  @Command(name = Names.NAME, hidden = true, description = "Names for shell completion.")
  static final class Names implements Callable<Integer> {
    static final String NAME = "__complete";

    @picocli.CommandLine.Mixin StoreOptions store;

    @Parameters(index = "0", paramLabel = "KIND", description = "images, containers, volumes or networks.")
    String kind;

    @Override
    public Integer call() throws Exception {
      java.util.Set<String> names = new java.util.LinkedHashSet<>();
      switch (kind) {
        case "images" -> store.open().images().list().forEach(i -> {
          names.add(i.tag().equals("<none>") ? i.repository() : i.name());
          if (i.repository().startsWith("localhost/") && !i.tag().equals("<none>")) {
            names.add(i.name().substring("localhost/".length()));
          }
        });
        case "containers" -> ContainerSupport.open(store.root()).list(true).forEach(r -> {
          names.add(r.name());
          names.add(r.shortId());
        });
        case "volumes" -> VolumeCommand.volumes(store).list().forEach(v -> names.add(v.name()));
        case "networks" -> {
          // --network also takes the modes that are no network of the store's.
          names.addAll(List.of("bridge", "host", "none"));
          NetworkCommand.registry(store).list().forEach(n -> names.add(n.name()));
        }
        default -> throw new UserException(
            "unknown kind " + kind + " (want " + String.join(", ", CompletionScripts.KINDS) + ")",
            ExitCodes.USAGE);
      }
      StringBuilder out = new StringBuilder();
      names.forEach(n -> out.append(n).append('\n'));
      Output.out().print(out);
      Output.out().flush();
      return ExitCodes.OK;
    }
  }
}
