package dev.lamina.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina man [COMMAND...]}: a command's man page, shown by {@code man} on a terminal and
 * printed as roff otherwise. The same pages are written at build time into {@code
 * cli/target/man/man1}.
 */
@Command(name = "man", description = "Show the manual page of lamina or of a command (lamina man volume ls).")
final class ManCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "A command, with its subcommand.")
  List<String> command = List.of();

  @Override
  public Integer call() throws IOException, InterruptedException {
    CommandLine cmd = CommandModel.full();
    for (String word : command) {
      CommandLine sub = cmd.getSubcommands().get(word);
      if (sub == null) {
        String nearest = UnknownCommands.nearest(word, List.copyOf(cmd.getSubcommands().keySet()));
        throw new UserException("no manual page for '" + String.join(" ", command) + "'"
            + (nearest == null ? "" : "; did you mean " + nearest + "?"), ExitCodes.USAGE);
      }
      cmd = sub;
    }
    String page = ManPages.page(cmd);
    if (!Terminals.stdoutIsTerminal() || !onPath("man")) {
      Output.out().print(page);
      Output.out().flush();
      return ExitCodes.OK;
    }
    Path file = Files.createTempFile(ManPages.pageName(cmd), ".1");
    try {
      Files.writeString(file, page, StandardCharsets.UTF_8);
      return new ProcessBuilder("man", "-l", file.toString()).inheritIO().start().waitFor();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
