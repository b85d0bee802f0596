package dev.lamina.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What a group of commands ({@code container}, {@code image}, …) says when given none. */
final class CommandGroups {
  private CommandGroups() {}

  /**
   * The one-line refusal of a group called without a subcommand, naming its subcommands in the
   * order help lists them (their names, not their aliases), from the group's own model, so that
   * the list cannot miss one.
   */
  static CommandLine.ParameterException subcommandRequired(CommandSpec group) {
    Set<String> names = new LinkedHashSet<>();
    for (CommandLine sub : group.subcommands().values()) {
      names.add(sub.getCommandName());
    }
    List<String> list = new ArrayList<>(names);
    String named = list.size() == 1 ? list.get(0)
        : String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1);
    return new CommandLine.ParameterException(
        group.commandLine(), "a subcommand is required: " + named);
  }
}
