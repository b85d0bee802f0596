package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.Heredoc;
import dev.lamina.builder.parse.Heredocs;
import dev.lamina.builder.parse.Node;
import dev.lamina.builder.parse.ParseException;
import dev.lamina.builder.parse.ParseResult;
import dev.lamina.builder.parse.SourceRange;
import dev.lamina.layerfs.oci.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Gives meaning to parsed {@link Node}s: one typed {@link Instruction} per node, with BuildKit's
 * arity checks, flag sets and messages ({@link InstructionErrors}).
 */
public final class InstructionParser {
  /** Every instruction keyword, lower case. */
  public static final Set<String> KEYWORDS =
      Set.of(
          "add",
          "arg",
          "cmd",
          "copy",
          "entrypoint",
          "env",
          "expose",
          "from",
          "healthcheck",
          "label",
          "maintainer",
          "onbuild",
          "run",
          "shell",
          "stopsignal",
          "user",
          "volume",
          "workdir");

  private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
  private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");

  private final String file;
  private final List<String> sourceLines;

  private InstructionParser(String file, List<String> sourceLines) {
    this.file = file;
    this.sourceLines = List.copyOf(sourceLines);
  }

  /** A parser for the nodes of {@code result} (errors name its file and show its lines). */
  public static InstructionParser of(ParseResult result) {
    return new InstructionParser(result.name(), result.lines());
  }

  /**
   * The typed instruction for {@code node}.
   *
   * @throws ParseException for an unknown instruction, unknown or malformed flags, wrong arity or
   *     malformed arguments; the message names the file and line
   */
  public Instruction parse(Node node) throws ParseException {
    try {
      return parseNode(node);
    } catch (IllegalArgumentException e) {
      throw error(node.range(), e.getMessage());
    }
  }

  /** An error at {@code range} of this parser's recipe. */
  ParseException error(SourceRange range, String message) {
    return ParseException.at(file, range, message, sourceLines);
  }

  private Instruction parseNode(Node node) {
    SourceRange at = node.range();
    List<String> args = node.args();
    return switch (node.keyword()) {
      case "from" -> from(node);
      case "run" -> run(node);
      case "cmd" -> new Cmd(command(node), flagsNone(node, at));
      case "entrypoint" -> new Entrypoint(command(node), flagsNone(node, at));
      case "shell" -> {
        noFlags(node);
        if (args.isEmpty()) {
          throw new IllegalArgumentException(InstructionErrors.atLeastOneArgument("SHELL"));
        }
        if (!node.json()) {
          throw new IllegalArgumentException(InstructionErrors.shellNotJson());
        }
        yield new Shell(args, at);
      }
      case "env" -> new Env(pairs(node, "ENV"), at);
      case "label" -> new Label(pairs(node, "LABEL"), at);
      case "maintainer" -> new Maintainer(single(node, "MAINTAINER"), at);
      case "user" -> new User(single(node, "USER"), at);
      case "workdir" -> new Workdir(single(node, "WORKDIR"), at);
      case "stopsignal" -> new Stopsignal(single(node, "STOPSIGNAL"), at);
      case "expose" -> {
        noFlags(node);
        atLeastOne(args, "EXPOSE");
        yield new Expose(args, at);
      }
      case "volume" -> {
        noFlags(node);
        atLeastOne(args, "VOLUME");
        for (String v : args) {
          if (v.isBlank()) {
            throw new IllegalArgumentException(InstructionErrors.emptyVolume());
          }
        }
        yield new Volume(args, at);
      }
      case "arg" -> arg(node);
      case "copy" -> copy(node);
      case "add" -> add(node);
      case "onbuild" -> onbuild(node);
      case "healthcheck" -> healthcheck(node);
      default -> {
        String suggestion = Suggestions.closest(node.keyword(), KEYWORDS);
        throw new IllegalArgumentException(
            InstructionErrors.unknownInstruction(node.keywordAsWritten(), suggestion));
      }
    };
  }

  private static SourceRange flagsNone(Node node, SourceRange at) {
    noFlags(node);
    return at;
  }

  private static void noFlags(Node node) {
    new Flags().parse(node.flags());
  }

  private static void atLeastOne(List<String> args, String instruction) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException(InstructionErrors.atLeastOneArgument(instruction));
    }
  }

  private static String single(Node node, String instruction) {
    noFlags(node);
    if (node.args().size() != 1) {
      throw new IllegalArgumentException(InstructionErrors.exactlyOneArgument(instruction));
    }
    return node.args().get(0);
  }

  private static CommandLine command(Node node) {
    if (node.json() || node.args().isEmpty()) {
      return new CommandLine.ExecForm(node.args());
    }
    return new CommandLine.ShellForm(node.args().get(0));
  }

  private From from(Node node) {
    Flags flags = new Flags().string("platform").parse(node.flags());
    List<String> args = node.args();
    String stageName = null;
    if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
      stageName = args.get(2).toLowerCase(Locale.ROOT);
      if (!STAGE_NAME.matcher(stageName).matches()) {
        throw new IllegalArgumentException(InstructionErrors.invalidStageName(args.get(2)));
      }
    } else if (args.size() != 1) {
      throw new IllegalArgumentException(InstructionErrors.fromArguments());
    }
    return new From(args.get(0), flags.value("platform"), stageName, node.range());
  }

  private Run run(Node node) {
    Flags flags = new Flags().strings("mount").string("network").string("security");
    flags.parse(node.flags());
    atLeastOne(node.args(), "RUN");
    List<Mount> mounts = new ArrayList<>();
    for (String spec : flags.values("mount")) {
      mounts.add(Mounts.parse(spec));
    }
    String network = flags.value("network");
    if (network != null && !Set.of("default", "none", "host").contains(network)) {
      throw new IllegalArgumentException(InstructionErrors.network(network));
    }
    String security = flags.value("security");
    if (security != null && !Set.of("sandbox", "insecure").contains(security)) {
      throw new IllegalArgumentException(InstructionErrors.security(security));
    }
    return new Run(command(node), inline(node.heredocs()), mounts, network, security, node.range());
  }

  private static List<InlineFile> inline(List<Heredoc> docs) {
    List<InlineFile> out = new ArrayList<>();
    for (Heredoc d : docs) {
      out.add(new InlineFile(d.name(), d.effectiveContent(), d.expand(), d.fileDescriptor()));
    }
    return out;
  }

  private static List<KeyValue> pairs(Node node, String instruction) {
    noFlags(node);
    List<String> args = node.args();
    if (args.isEmpty()) {
      throw new IllegalArgumentException(InstructionErrors.atLeastOneArgument(instruction));
    }
    if (args.size() % 2 != 0) {
      throw new IllegalArgumentException(InstructionErrors.tooManyArguments(instruction));
    }
    List<KeyValue> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i += 2) {
      if (args.get(i).isEmpty()) {
        throw new IllegalArgumentException(InstructionErrors.blankNames(instruction));
      }
      out.add(new KeyValue(args.get(i), args.get(i + 1)));
    }
    return out;
  }

  private static Arg arg(Node node) {
    noFlags(node);
    atLeastOne(node.args(), "ARG");
    List<ArgDefinition> out = new ArrayList<>();
    for (String word : node.args()) {
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      if (name.isEmpty()) {
        throw new IllegalArgumentException(InstructionErrors.blankNames("ARG"));
      }
      out.add(new ArgDefinition(name, eq < 0 ? null : word.substring(eq + 1)));
    }
    return new Arg(out, node.range());
  }

  /** Sources, heredoc sources and the destination of COPY and ADD. */
  private record Operands(List<String> sources, List<InlineFile> inline, String destination) {}

  private static Operands operands(Node node, String instruction) {
    List<String> args = node.args();
    if (args.size() < 2) {
      throw new IllegalArgumentException(InstructionErrors.noDestinationArgument(instruction));
    }
    List<String> sources = new ArrayList<>();
    List<InlineFile> inline = new ArrayList<>();
    for (String src : args.subList(0, args.size() - 1)) {
      Heredoc opener = node.json() ? null : Heredocs.parseOpener(src);
      if (opener != null && inline.size() < node.heredocs().size()) {
        Heredoc doc = node.heredocs().get(inline.size());
        inline.add(new InlineFile(doc.name(), doc.effectiveContent(), doc.expand(), 0));
      } else {
        sources.add(src);
      }
    }
    return new Operands(sources, inline, args.get(args.size() - 1));
  }

  private static Copy copy(Node node) {
    Flags flags =
        new Flags()
            .string("from")
            .string("chown")
            .string("chmod")
            .bool("link")
            .bool("parents")
            .strings("exclude")
            .parse(node.flags());
    Operands o = operands(node, "COPY");
    return new Copy(
        o.sources(),
        o.inline(),
        o.destination(),
        flags.value("from"),
        flags.value("chown"),
        flags.value("chmod"),
        flags.isTrue("link"),
        flags.isTrue("parents"),
        flags.values("exclude"),
        node.range());
  }

  private static Add add(Node node) {
    Flags flags =
        new Flags()
            .string("chown")
            .string("chmod")
            .bool("link")
            .bool("keep-git-dir")
            .string("checksum")
            .strings("exclude")
            .bool("unpack")
            .parse(node.flags());
    Operands o = operands(node, "ADD");
    return new Add(
        o.sources(),
        o.inline(),
        o.destination(),
        flags.value("chown"),
        flags.value("chmod"),
        flags.isTrue("link"),
        flags.tristate("keep-git-dir"),
        flags.value("checksum"),
        flags.values("exclude"),
        flags.tristate("unpack"),
        node.range());
  }

  private Onbuild onbuild(Node node) {
    noFlags(node);
    Node child = node.child();
    if (child == null) {
      throw new IllegalArgumentException(InstructionErrors.atLeastOneArgument("ONBUILD"));
    }
    String trigger = child.keyword().toUpperCase(Locale.ROOT);
    switch (trigger) {
      case "ONBUILD" -> throw new IllegalArgumentException(InstructionErrors.onbuildChaining());
      case "FROM", "MAINTAINER" ->
          throw new IllegalArgumentException(InstructionErrors.onbuildTrigger(trigger));
      default -> {}
    }
    String expression = ONBUILD_PREFIX.matcher(node.original()).replaceFirst("");
    return new Onbuild(parseNode(child), expression, node.range());
  }

  private static Healthcheck healthcheck(Node node) {
    List<String> args = node.args();
    atLeastOne(args, "HEALTHCHECK");
    String type = args.get(0).toUpperCase(Locale.ROOT);
    List<String> rest = args.subList(1, args.size());
    if (type.equals("NONE")) {
      noFlags(node);
      if (!rest.isEmpty()) {
        throw new IllegalArgumentException(InstructionErrors.healthcheckNoneArguments());
      }
      return new Healthcheck(
          null, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, node.range());
    }
    Flags flags =
        new Flags()
            .string("interval")
            .string("timeout")
            .string("start-period")
            .string("start-interval")
            .string("retries")
            .parse(node.flags());
    if (!type.equals("CMD")) {
      throw new IllegalArgumentException(InstructionErrors.healthcheckType(args.get(0)));
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(InstructionErrors.healthcheckCommand());
    }
    CommandLine command =
        node.json() ? new CommandLine.ExecForm(rest) : new CommandLine.ShellForm(rest.get(0));
    int retries = 0;
    String r = flags.value("retries");
    if (r != null && !r.isEmpty()) {
      long n;
      try {
        n = Long.parseLong(r);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(InstructionErrors.invalidRetries(r));
      }
      if (n < 0) {
        throw new IllegalArgumentException(InstructionErrors.negativeRetries(n));
      }
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(InstructionErrors.invalidRetries(r));
      }
      retries = (int) n;
    }
    return new Healthcheck(
        command,
        interval(flags, "interval"),
        interval(flags, "timeout"),
        interval(flags, "start-period"),
        interval(flags, "start-interval"),
        retries,
        node.range());
  }

  private static Duration interval(Flags flags, String name) {
    String value = flags.value(name);
    if (value == null || value.isEmpty()) {
      return Duration.ZERO;
    }
    Duration d = GoDuration.parse(value);
    if (d.isZero()) {
      return d;
    }
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(InstructionErrors.intervalTooShort(name));
    }
    return d;
  }
}
