package dev.lamina.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr ({@code lamina: <message>}) and a documented exit
 * code. The stack trace is shown only with {@code --debug}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    return handleThrowable(ex, cmd.getErr(), Main.debug(parseResult));
  }

  /**
   * Reports any failure, an {@link Error} included, as one line; the stack trace only with
   * {@code debug}.
   */
  int handleThrowable(Throwable ex, PrintWriter err, boolean debug) {
    err.println("lamina: " + oneLine(ex));
    if (debug) {
      ex.printStackTrace(err);
    }
    err.flush();
    if (ex instanceof BuildFailedException) {
      return ExitCodes.BUILD_FAILED;
    }
    return ex instanceof UserException u ? u.exitCode() : ExitCodes.ERROR;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String help = "see 'lamina " + commandPath(cmd) + "--help'";
    String nearest = ex instanceof CommandLine.UnmatchedArgumentException u
        ? UnknownCommands.describe(cmd, u.getUnmatched()) : null;
    String message = nearest != null ? nearest
        : Excerpts.line(String.valueOf(ex.getMessage()).replace('\n', ' ').strip());
    err.println("lamina: " + message + " (" + help + ")");
    err.flush();
    return ExitCodes.USAGE;
  }

  private static String commandPath(CommandLine cmd) {
    StringBuilder sb = new StringBuilder();
    for (CommandLine c = cmd; c.getParent() != null; c = c.getParent()) {
      sb.insert(0, c.getCommandName() + " ");
    }
    return sb.toString();
  }

  /** The message of {@code ex}, with the causes that add information, on one line. */
  static String oneLine(Throwable ex) {
    // A wrapper made as new X(cause) has the cause's toString() as its message: it adds nothing.
    while (ex.getCause() != null
        && ex.getCause() != ex
        && String.valueOf(ex.getCause()).equals(ex.getMessage())) {
      ex = ex.getCause();
    }
    String msg = message(ex);
    Throwable cause = ex.getCause();
    while (cause != null && cause != ex) {
      String c = message(cause);
      if (!msg.contains(c)) {
        msg = msg + ": " + c;
      }
      ex = cause;
      cause = cause.getCause();
    }
    return Excerpts.line(msg.replace('\n', ' ').strip());
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    if (t instanceof StackOverflowError) {
      return "internal error: stack overflow (input nested too deeply?)";
    }
    if (t instanceof OutOfMemoryError) {
      return "internal error: out of memory"
          + (m == null || m.isBlank() ? "" : " (" + m + ")")
          + "; give the JVM more with JAVA_TOOL_OPTIONS=-Xmx...";
    }
    if (t instanceof Error) {
      return "internal error: " + t.getClass().getName() + (m == null ? "" : ": " + m);
    }
    if (m == null || m.isBlank()) {
      return t.getClass().getSimpleName();
    }
    if (t instanceof java.nio.file.NoSuchFileException) {
      return "no such file or directory: " + m;
    }
    if (t instanceof java.nio.file.AccessDeniedException) {
      return "permission denied: " + m;
    }
    if (t instanceof java.nio.file.NotDirectoryException) {
      return "not a directory: " + m;
    }
    if (t instanceof java.nio.file.FileAlreadyExistsException) {
      return "already exists: " + m;
    }
    return m;
  }
}
