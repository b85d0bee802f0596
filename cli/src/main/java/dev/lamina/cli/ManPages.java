package dev.lamina.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Man pages in roff, one per command ({@code lamina-volume-ls.1}), written from the command model
 * that parses the command line, so they say what the commands take. The build writes them into
 * {@code cli/target/man/man1} ({@link #main}); {@code lamina man COMMAND} shows one.
 */
public final class ManPages {
  private ManPages() {}

  /** Writes every page into the directory {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]));
    for (Map.Entry<String, String> page : all(CommandModel.full()).entrySet()) {
      Files.writeString(dir.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
    }
  }

  /** File name ({@code lamina-ps.1}) to page, for {@code root} and every visible command. */
  static Map<String, String> all(CommandLine root) {
    Map<String, String> pages = new LinkedHashMap<>();
    collect(root, pages);
    return pages;
  }

  private static void collect(CommandLine cmd, Map<String, String> pages) {
    pages.put(pageName(cmd) + ".1", page(cmd));
    cmd.getSubcommands().forEach((name, c) -> {
      if (name.equals(c.getCommandName()) && !c.getCommandSpec().usageMessage().hidden()
          && !(c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)) {
        collect(c, pages);
      }
    });
  }

  /** {@code lamina-volume-ls}. */
  static String pageName(CommandLine cmd) {
    return commandPath(cmd).replace(' ', '-');
  }

  private static String commandPath(CommandLine cmd) {
    List<String> names = new ArrayList<>();
    for (CommandLine c = cmd; c != null; c = c.getParent()) {
      names.add(0, c.getParent() == null ? "lamina" : c.getCommandName());
    }
    return String.join(" ", names);
  }

  /** The page of one command. */
  static String page(CommandLine cmd) {
    // Descriptions name the default auth file through this property; a page names it as
    // podman's does, not as the path of whoever built the page.
    if (System.getProperty(HelpOption.AUTHFILE_PROPERTY) == null) {
      System.setProperty(HelpOption.AUTHFILE_PROPERTY, "$XDG_RUNTIME_DIR/containers/auth.json");
    }
    CommandSpec spec = cmd.getCommandSpec();
    StringBuilder sb = new StringBuilder();
    sb.append(".TH \"").append(pageName(cmd).toUpperCase(Locale.ROOT)).append("\" \"1\" \"\" \"lamina ")
        .append(Main.version()).append("\" \"Lamina Manual\"\n");
    sb.append(".SH NAME\n").append(escape(pageName(cmd))).append(" \\- ")
        .append(escape(firstLine(spec))).append('\n');
    sb.append(".SH SYNOPSIS\n.nf\n")
        .append(escape(synopsis(cmd))).append("\n.fi\n");
    sb.append(".SH DESCRIPTION\n");
    for (String line : spec.usageMessage().description()) {
      sb.append(escape(line)).append('\n');
    }
    List<PositionalParamSpec> params = new ArrayList<>();
    spec.positionalParameters().stream().filter(p -> !p.hidden()).forEach(params::add);
    if (!params.isEmpty()) {
      sb.append(".SH ARGUMENTS\n");
      for (PositionalParamSpec p : params) {
        sb.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n')
            .append(escape(String.join(" ", p.description()))).append('\n');
      }
    }
    List<OptionSpec> options = new ArrayList<>();
    spec.options().stream().filter(o -> !o.hidden()).forEach(options::add);
    if (!options.isEmpty()) {
      sb.append(".SH OPTIONS\n");
      for (OptionSpec o : options) {
        sb.append(".TP\n").append(optionLine(o)).append('\n')
            .append(escape(String.join(" ", o.description()))).append('\n');
      }
    }
    List<CommandLine> subs = new ArrayList<>();
    cmd.getSubcommands().forEach((name, c) -> {
      if (name.equals(c.getCommandName()) && !c.getCommandSpec().usageMessage().hidden()) {
        subs.add(c);
      }
    });
    if (!subs.isEmpty()) {
      sb.append(".SH COMMANDS\n");
      for (CommandLine c : subs) {
        sb.append(".TP\n.B ").append(escape(c.getCommandName())).append('\n')
            .append(escape(firstLine(c.getCommandSpec()))).append('\n');
      }
    }
    sb.append(".SH SEE ALSO\n");
    List<String> see = new ArrayList<>();
    if (cmd.getParent() != null) {
      see.add(escape(pageName(cmd.getParent())) + "(1)");
    }
    for (CommandLine c : subs) {
      if (!(c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)) {
        see.add(escape(pageName(c)) + "(1)");
      }
    }
    sb.append(see.isEmpty() ? "docker(1), podman(1)" : String.join(", ", see)).append('\n');
    return sb.toString();
  }

  private static String firstLine(CommandSpec spec) {
    String[] d = spec.usageMessage().description();
    return d.length == 0 ? "" : d[0];
  }

  /** picocli's usage line, without its "Usage: " and colours. */
  private static String synopsis(CommandLine cmd) {
    String s = cmd.getHelp().synopsis(0);
    s = s.replaceAll("\u001B\\[[0-9;]*m", "").strip();
    if (s.startsWith("Usage: ")) {
      s = s.substring("Usage: ".length());
    }
    return s.replaceAll("\n +", "\n  ");
  }

  /** {@code .BR -a ", " --all " " FORMAT}: the names in bold, the value's label in italics. */
  private static String optionLine(OptionSpec o) {
    StringBuilder sb = new StringBuilder();
    String[] names = o.names();
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append("\\fB").append(escape(names[i])).append("\\fR");
    }
    if (o.arity().max() > 0) {
      sb.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
    }
    return sb.toString();
  }

  /** Text safe in roff: backslashes, hyphens, and a leading dot or quote. */
  static String escape(String text) {
    String s = text.replace("\\", "\\e").replace("-", "\\-");
    StringBuilder out = new StringBuilder();
    for (String line : s.split("\n", -1)) {
      if (out.length() > 0) {
        out.append('\n');
      }
      if (line.startsWith(".") || line.startsWith("'")) {
        out.append("\\&");
      }
      out.append(line);
    }
    return out.toString();
  }
}
