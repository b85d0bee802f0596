package dev.lamina.builder.recipe;

import java.util.List;

/** The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK: shell form or exec (JSON) form. */
public sealed interface CommandLine permits CommandLine.ShellForm, CommandLine.ExecForm {

  /** Whether the command runs through the stage's shell. */
  boolean prependShell();

  /** {@code RUN make all}: one string handed to the shell as written. */
  record ShellForm(String script) implements CommandLine {
    @Override
    public boolean prependShell() {
      return true;
    }
  }

  /** {@code RUN ["make", "all"]}: the argument vector, run without a shell. */
  record ExecForm(List<String> args) implements CommandLine {
    public ExecForm {
      args = List.copyOf(args);
    }

    @Override
    public boolean prependShell() {
      return false;
    }
  }
}
