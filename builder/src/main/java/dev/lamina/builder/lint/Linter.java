package dev.lamina.builder.lint;

import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.expand.ShellWords;
import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.builder.parse.Node;
import dev.lamina.builder.parse.ParseException;
import dev.lamina.builder.parse.ParseResult;
import dev.lamina.builder.parse.ParseWarning;
import dev.lamina.builder.parse.Parser;
import dev.lamina.builder.parse.SourceRange;
import dev.lamina.builder.recipe.Add;
import dev.lamina.builder.recipe.Arg;
import dev.lamina.builder.recipe.ArgDefinition;
import dev.lamina.builder.recipe.Cmd;
import dev.lamina.builder.recipe.CommandLine;
import dev.lamina.builder.recipe.Copy;
import dev.lamina.builder.recipe.Entrypoint;
import dev.lamina.builder.recipe.Env;
import dev.lamina.builder.recipe.Expose;
import dev.lamina.builder.recipe.From;
import dev.lamina.builder.recipe.Healthcheck;
import dev.lamina.builder.recipe.Instruction;
import dev.lamina.builder.recipe.InstructionParser;
import dev.lamina.builder.recipe.KeyValue;
import dev.lamina.builder.recipe.Label;
import dev.lamina.builder.recipe.Maintainer;
import dev.lamina.builder.recipe.Stopsignal;
import dev.lamina.builder.recipe.Suggestions;
import dev.lamina.builder.recipe.User;
import dev.lamina.builder.recipe.Volume;
import dev.lamina.builder.recipe.Workdir;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.ref.Reference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * BuildKit's Dockerfile checks, run on recipe text without building it. The base images are not
 * pulled, so their environment is unknown: {@code PATH} and the names passed as {@code
 * knownVariables} count as defined in every stage.
 */
public final class Linter {
  /** Build arguments BuildKit defines in the global scope without an ARG. */
  static final Map<String, String> PLATFORM_ARGS =
      Map.of(
          "BUILDPLATFORM", "linux/amd64",
          "BUILDOS", "linux",
          "BUILDARCH", "amd64",
          "BUILDVARIANT", "",
          "TARGETPLATFORM", "linux/amd64",
          "TARGETOS", "linux",
          "TARGETARCH", "amd64",
          "TARGETVARIANT", "",
          "TARGETSTAGE", "");

  private static final Set<String> RESERVED_STAGE_NAMES = Set.of("scratch", "context");
  private static final Pattern SECRET =
      Pattern.compile(
          "(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret"
              + "|token)(?:_|$)");
  private static final Pattern NOT_SECRET = Pattern.compile("(?i)(?:_|^)(?:public)(?:_|$)");
  /** {@code user@host:path}, a git source. */
  private static final Pattern GIT_SCP = Pattern.compile("^[^/:@]+@[^/:]+:");
  /** Ignore patterns that exclude every entry of the context's root. */
  private static final Set<String> ROOT_PATTERNS = Set.of("*", "**", "**/*");

  private Linter() {}

  /**
   * The warnings for a recipe, honouring its {@code # check=skip=...} directive.
   *
   * @throws ParseException if the recipe cannot be parsed
   */
  public static List<Warning> check(String recipeText) throws ParseException {
    return report(recipeText, "Dockerfile", Set.of()).warnings();
  }

  /**
   * The full report for a recipe.
   *
   * @param name the recipe's name used in parse errors
   * @param knownVariables variables the base images are known to define (besides PATH)
   * @throws ParseException if the recipe cannot be parsed or its {@code # check=} directive is
   *     malformed
   */
  public static LintReport report(String recipeText, String name, Set<String> knownVariables)
      throws ParseException {
    return report(recipeText, name, knownVariables, IgnoreRules.none());
  }

  /**
   * The full report for a recipe built from a context with the ignore rules {@code ignore}
   * (checked against the sources of COPY and ADD).
   *
   * @throws ParseException as {@link #report(String, String, Set)}
   */
  public static LintReport report(
      String recipeText, String name, Set<String> knownVariables, IgnoreRules ignore)
      throws ParseException {
    ParseResult parsed = Parser.parse(recipeText, name);
    CheckOptions options;
    try {
      options = CheckOptions.parse(parsed.directives().check());
    } catch (IllegalArgumentException e) {
      throw ParseException.at(name, SourceRange.line(1), e.getMessage(), parsed.lines());
    }
    List<Warning> all = new Run(parsed, knownVariables, ignore).run();
    List<Warning> kept = new ArrayList<>();
    for (Warning w : all) {
      if (options.enabled(w.rule())) {
        kept.add(w);
      }
    }
    kept.sort(Comparator.comparingInt(w -> w.range().startLine()));
    return new LintReport(kept, options);
  }

  /** Whether an ARG or ENV name looks like it holds a secret. */
  static boolean isSecretKey(String key) {
    return !NOT_SECRET.matcher(key).find() && SECRET.matcher(key).find();
  }

  private record Item(Node node, Instruction instruction) {}

  private record StageItems(Item from, List<Item> body) {}

  /** One lint run over one recipe. */
  private static final class Run {
    private final ParseResult parsed;
    private final Set<String> known;
    private final IgnoreRules ignore;
    private final ShellWords lexer;
    private final List<Warning> out = new ArrayList<>();

    Run(ParseResult parsed, Set<String> known, IgnoreRules ignore) {
      this.parsed = parsed;
      this.known = known;
      this.ignore = ignore;
      this.lexer = ShellWords.withEscape(parsed.directives().escape());
    }

    private void warn(Rule rule, String message, SourceRange range) {
      out.add(new Warning(rule, message, range));
    }

    List<Warning> run() throws ParseException {
      InstructionParser parser = InstructionParser.of(parsed);
      List<Item> globals = new ArrayList<>();
      List<StageItems> stages = new ArrayList<>();
      for (Node node : parsed.nodes()) {
        Item item = new Item(node, parser.parse(node));
        if (item.instruction() instanceof From) {
          stages.add(new StageItems(item, new ArrayList<>()));
        } else if (stages.isEmpty()) {
          globals.add(item);
        } else {
          stages.get(stages.size() - 1).body().add(item);
        }
      }
      for (ParseWarning w : parsed.warnings()) {
        if (w.rule().equals(Rule.NO_EMPTY_CONTINUATION.ruleName())) {
          warn(Rule.NO_EMPTY_CONTINUATION, Messages.noEmptyContinuation(), w.range());
        }
      }
      instructionCasing(stages);
      Map<String, String> globalArgs = globalArgs(globals);
      Set<String> stageNames = new HashSet<>();
      Map<String, Scope> finished = new HashMap<>();
      for (StageItems stage : stages) {
        Scope scope = from(stage.from(), globalArgs, stageNames, finished);
        for (Item item : stage.body()) {
          body(item, scope);
        }
        From from = (From) stage.from().instruction();
        if (from.stageName() != null) {
          finished.put(from.stageName(), scope);
        }
      }
      return out;
    }

    private void instructionCasing(List<StageItems> stages) {
      int lower = 0;
      int upper = 0;
      List<Node> nodes = new ArrayList<>();
      for (StageItems s : stages) {
        nodes.add(s.from().node());
        for (Item i : s.body()) {
          nodes.add(i.node());
        }
      }
      for (Node n : nodes) {
        String k = n.keywordAsWritten();
        if (k.equals(k.toLowerCase(Locale.ROOT))) {
          lower++;
        } else if (k.equals(k.toUpperCase(Locale.ROOT))) {
          upper++;
        }
      }
      boolean majorityLower = lower > upper;
      for (Node n : nodes) {
        String k = n.keywordAsWritten();
        String correct = null;
        if (majorityLower && !k.equals(k.toLowerCase(Locale.ROOT))) {
          correct = "lowercase";
        } else if (!majorityLower && !k.equals(k.toUpperCase(Locale.ROOT))) {
          correct = "uppercase";
        }
        if (correct != null) {
          warn(
              Rule.CONSISTENT_INSTRUCTION_CASING,
              Messages.consistentInstructionCasing(k, correct),
              n.range());
        }
      }
    }

    /** Global ARG defaults as a FROM line sees them (unset when there is no default). */
    private Map<String, String> globalArgs(List<Item> globals) {
      Map<String, String> args = new LinkedHashMap<>();
      for (Item item : globals) {
        if (item.instruction() instanceof Arg arg) {
          secrets(arg);
          Map<String, String> before = new HashMap<>(PLATFORM_ARGS);
          before.putAll(args);
          for (ArgDefinition a : arg.args()) {
            String value = null;
            if (a.hasDefault()) {
              try {
                value = lexer.word(a.defaultValue(), before);
              } catch (ExpansionException e) {
                value = a.defaultValue();
              }
            }
            if (value != null || !args.containsKey(a.name())) {
              args.put(a.name(), value);
            }
          }
        }
      }
      return args;
    }

    /** What a stage knows: defined variable names and whether WORKDIR was set absolutely. */
    private static final class Scope {
      final Set<String> env = new LinkedHashSet<>();
      final Set<String> args = new LinkedHashSet<>();
      boolean workdirSet;
      Instruction lastCmd;
      Instruction lastEntrypoint;
      Instruction lastHealthcheck;
    }

    private Scope from(
        Item item,
        Map<String, String> globalArgs,
        Set<String> stageNames,
        Map<String, Scope> finished) {
      From from = (From) item.instruction();
      Node node = item.node();
      SourceRange at = node.range();
      if (from.stageName() != null) {
        String written = node.args().get(2);
        if (!written.equals(written.toLowerCase(Locale.ROOT))) {
          warn(Rule.STAGE_NAME_CASING, Messages.stageNameCasing(written), at);
        }
        String fromWord = node.keywordAsWritten();
        String asWord = node.args().get(1);
        boolean fromUpper = fromWord.equals(fromWord.toUpperCase(Locale.ROOT));
        boolean fromLower = fromWord.equals(fromWord.toLowerCase(Locale.ROOT));
        if ((fromUpper && !asWord.equals(asWord.toUpperCase(Locale.ROOT)))
            || (fromLower && !asWord.equals(asWord.toLowerCase(Locale.ROOT)))) {
          warn(Rule.FROM_AS_CASING, Messages.fromAsCasing(fromWord, asWord), at);
        }
        if (RESERVED_STAGE_NAMES.contains(from.stageName())) {
          warn(Rule.RESERVED_STAGE_NAME, Messages.reservedStageName(from.stageName()), at);
        }
        if (!stageNames.add(from.stageName())) {
          warn(Rule.DUPLICATE_STAGE_NAME, Messages.duplicateStageName(from.stageName()), at);
        }
      }
      // Declared counts, with or without a default.
      Map<String, String> declared = new HashMap<>(PLATFORM_ARGS);
      for (String arg : globalArgs.keySet()) {
        declared.put(arg, "x");
      }
      List<String> texts = new ArrayList<>();
      texts.add(from.image());
      if (from.platform() != null) {
        texts.add(from.platform());
      }
      boolean undeclaredInImage = false;
      for (int i = 0; i < texts.size(); i++) {
        for (String undefined : unmatched(texts.get(i), declared)) {
          undeclaredInImage |= i == 0;
          String suggestion = Suggestions.closest(undefined, globalArgs.keySet());
          warn(Rule.UNDEFINED_ARG_IN_FROM, Messages.undefinedArgInFrom(undefined, suggestion), at);
        }
      }
      if (from.platform() != null) {
        platform(from, globalArgs, at);
      }
      // An undeclared ARG is reported above; the default check is about declared ones.
      if (from.image().contains("$") && !undeclaredInImage) {
        Map<String, String> defaults = new HashMap<>(PLATFORM_ARGS);
        for (Map.Entry<String, String> e : globalArgs.entrySet()) {
          if (e.getValue() != null) {
            defaults.put(e.getKey(), e.getValue());
          }
        }
        String image;
        try {
          image = lexer.word(from.image(), defaults);
        } catch (ExpansionException e) {
          image = "";
        }
        boolean valid =
            !image.isEmpty()
                && (image.equals("scratch")
                    || finished.containsKey(image.toLowerCase(Locale.ROOT))
                    || Reference.isValid(image));
        if (!valid) {
          warn(
              Rule.INVALID_DEFAULT_ARG_IN_FROM, Messages.invalidDefaultArgInFrom(from.image()), at);
        }
      }
      Scope scope = new Scope();
      Scope parent = finished.get(from.image().toLowerCase(Locale.ROOT));
      if (parent != null) {
        scope.env.addAll(parent.env);
        scope.workdirSet = parent.workdirSet;
      }
      return scope;
    }

    /**
     * {@code FROM --platform=}: {@code $TARGETPLATFORM} alone is the default anyway; a constant
     * pins the stage to one platform unless the stage's name says which.
     */
    private void platform(From from, Map<String, String> globalArgs, SourceRange at) {
      Map<String, String> env = new HashMap<>(PLATFORM_ARGS);
      globalArgs.forEach((k, v) -> {
        if (v != null) {
          env.put(k, v);
        }
      });
      ShellWords.Result r;
      try {
        r = lexer.process(from.platform(), env);
      } catch (ExpansionException e) {
        return;
      }
      if (r.matched().equals(Set.of("TARGETPLATFORM")) && r.unmatched().isEmpty()
          && r.word().equals(PLATFORM_ARGS.get("TARGETPLATFORM"))) {
        warn(Rule.REDUNDANT_TARGET_PLATFORM, Messages.redundantTargetPlatform(from.platform()),
            at);
      }
      if (!r.matched().isEmpty() || !r.unmatched().isEmpty()) {
        return;
      }
      Platform p;
      try {
        p = Platform.parse(r.word());
      } catch (IllegalArgumentException e) {
        return; // the build says what is wrong with it
      }
      String stage = from.stageName() == null ? "" : from.stageName();
      if (!stage.contains(p.os()) && !stage.contains(p.architecture())) {
        warn(Rule.FROM_PLATFORM_FLAG_CONST_DISALLOWED,
            Messages.fromPlatformFlagConstDisallowed(r.word()), at);
      }
    }

    /**
     * EXPOSE takes container ports only: an address or a host port ({@code 80:8080}) is a
     * mapping, which only {@code run -p} makes; protocols are written in lowercase.
     */
    private void expose(Expose expose, SourceRange at) {
      for (String port : expose.ports()) {
        if (port.contains("$")) {
          continue; // its value is known only when building
        }
        // [ip:][hostPort:]containerPort[/proto], an IPv6 address with colons of its own
        String[] parts = port.split(":", -1);
        int n = parts.length;
        String container = parts[n - 1];
        String hostPort = n >= 2 ? parts[n - 2] : "";
        String ip = n >= 3 ? String.join(":", List.of(parts).subList(0, n - 2)) : "";
        int slash = container.indexOf('/');
        String proto = slash < 0 ? "" : container.substring(slash + 1);
        if (!proto.equals(proto.toLowerCase(Locale.ROOT))) {
          warn(Rule.EXPOSE_PROTO_CASING, Messages.exposeProtoCasing(port), at);
        }
        if (!ip.isEmpty() || !hostPort.isEmpty()) {
          warn(Rule.EXPOSE_INVALID_FORMAT, Messages.exposeInvalidFormat(port), at);
        }
      }
    }

    /**
     * A context source of COPY or ADD that the ignore file excludes is not in the context. Only
     * checked when the file has no exceptions ({@code !pattern}): which paths those bring back is
     * not decidable from the recipe alone (BuildKit's rule).
     */
    private void ignoredSources(String instruction, List<String> sources, SourceRange at) {
      if (ignore.isEmpty() || ignore.patterns().stream().anyMatch(p -> p.startsWith("!"))) {
        return;
      }
      for (String source : sources) {
        if (source.contains("$") || source.contains("://") || GIT_SCP.matcher(source).find()) {
          continue;
        }
        String clean = cleanSource(source);
        if (clean.equals(".") || clean.equals("/")) {
          // The context's root is excluded only by a pattern that excludes everything in it.
          if (ignore.patterns().stream().noneMatch(p -> ROOT_PATTERNS.contains(p))) {
            continue;
          }
        }
        if (ignore.matches(clean)) {
          warn(Rule.COPY_IGNORED_FILE, Messages.copyIgnoredFile(instruction, clean), at);
        }
      }
    }

    private static String cleanSource(String source) {
      if (source.startsWith("/") && source.replace("/", "").isEmpty()) {
        return "/";
      }
      String clean = java.nio.file.Path.of(source).normalize().toString();
      return clean.isEmpty() ? "." : clean;
    }

    private void body(Item item, Scope scope) {
      Instruction instruction = item.instruction();
      Node node = item.node();
      SourceRange at = node.range();
      undefinedVars(instruction, scope, at);
      if (instruction instanceof Env env) {
        legacy(node, "ENV");
        for (KeyValue kv : env.pairs()) {
          secret("ENV", kv.key(), at);
          scope.env.add(kv.key());
        }
      } else if (instruction instanceof Label) {
        legacy(node, "LABEL");
      } else if (instruction instanceof Arg arg) {
        secrets(arg);
        for (ArgDefinition a : arg.args()) {
          scope.args.add(a.name());
        }
      } else if (instruction instanceof Maintainer) {
        warn(Rule.MAINTAINER_DEPRECATED, Messages.maintainerDeprecated(), at);
      } else if (instruction instanceof Workdir w) {
        if (!w.path().startsWith("/") && !w.path().startsWith("$") && !scope.workdirSet) {
          warn(Rule.WORKDIR_RELATIVE_PATH, Messages.workdirRelativePath(w.path()), at);
        }
        scope.workdirSet = true;
      } else if (instruction instanceof Cmd cmd) {
        jsonArgs(cmd.command(), "CMD", at);
        scope.lastCmd = once(scope.lastCmd, cmd);
      } else if (instruction instanceof Entrypoint ep) {
        jsonArgs(ep.command(), "ENTRYPOINT", at);
        scope.lastEntrypoint = once(scope.lastEntrypoint, ep);
      } else if (instruction instanceof Healthcheck hc) {
        scope.lastHealthcheck = once(scope.lastHealthcheck, hc);
      } else if (instruction instanceof Expose e) {
        expose(e, at);
      } else if (instruction instanceof Copy c && c.from() == null) {
        ignoredSources("Copy", c.sources(), at);
      } else if (instruction instanceof Add a) {
        ignoredSources("Add", a.sources(), at);
      }
    }

    private void jsonArgs(CommandLine command, String instruction, SourceRange at) {
      if (command instanceof CommandLine.ShellForm) {
        warn(Rule.JSON_ARGS_RECOMMENDED, Messages.jsonArgsRecommended(instruction), at);
      }
    }

    /** A second CMD/ENTRYPOINT/HEALTHCHECK makes the previous one dead: warn on that one. */
    private Instruction once(Instruction previous, Instruction current) {
      if (previous != null) {
        warn(
            Rule.MULTIPLE_INSTRUCTIONS_DISALLOWED,
            Messages.multipleInstructionsDisallowed(previous.name()),
            previous.location());
      }
      return current;
    }

    private void legacy(Node node, String instruction) {
      if (node.legacyKeyValue()) {
        warn(
            Rule.LEGACY_KEY_VALUE_FORMAT, Messages.legacyKeyValueFormat(instruction), node.range());
      }
    }

    private void secrets(Arg arg) {
      for (ArgDefinition a : arg.args()) {
        secret("ARG", a.name(), arg.location());
      }
    }

    private void secret(String instruction, String key, SourceRange at) {
      if (isSecretKey(key)) {
        warn(Rule.SECRETS_USED_IN_ARG_OR_ENV, Messages.secretsUsedInArgOrEnv(instruction, key), at);
      }
    }

    private void undefinedVars(Instruction instruction, Scope scope, SourceRange at) {
      List<String> texts = expandedTexts(instruction);
      if (texts.isEmpty()) {
        return;
      }
      Map<String, String> env = new HashMap<>();
      Set<String> defined = new LinkedHashSet<>();
      defined.add("PATH");
      defined.addAll(known);
      defined.addAll(scope.env);
      defined.addAll(scope.args);
      for (String name : defined) {
        env.put(name, "x");
      }
      Set<String> reported = new LinkedHashSet<>();
      for (String text : texts) {
        reported.addAll(unmatched(text, env));
      }
      for (String name : reported) {
        String suggestion = Suggestions.closest(name, defined);
        warn(Rule.UNDEFINED_VAR, Messages.undefinedVar(name, suggestion), at);
      }
    }

    /** Variable names referenced by {@code text} and not in {@code env} (parameters excluded). */
    private List<String> unmatched(String text, Map<String, String> env) {
      List<String> names = new ArrayList<>();
      try {
        for (String name : lexer.process(text, env).unmatched()) {
          if (Character.isLetter(name.charAt(0)) || name.charAt(0) == '_') {
            names.add(name);
          }
        }
      } catch (ExpansionException e) {
        // Malformed text is reported when the recipe is built, not as a lint warning.
      }
      return names;
    }

    /** The argument texts BuildKit expands for an instruction (FROM is handled apart). */
    private static List<String> expandedTexts(Instruction instruction) {
      List<String> texts = new ArrayList<>();
      if (instruction instanceof Env env) {
        env.pairs().forEach(kv -> texts.addAll(List.of(kv.key(), kv.value())));
      } else if (instruction instanceof Label label) {
        label.pairs().forEach(kv -> texts.addAll(List.of(kv.key(), kv.value())));
      } else if (instruction instanceof Arg arg) {
        for (ArgDefinition a : arg.args()) {
          if (a.hasDefault()) {
            texts.add(a.defaultValue());
          }
        }
      } else if (instruction instanceof Copy c) {
        texts.addAll(c.sources());
        texts.add(c.destination());
        addIfSet(texts, c.from(), c.chown(), c.chmod());
      } else if (instruction instanceof Add a) {
        texts.addAll(a.sources());
        texts.add(a.destination());
        addIfSet(texts, a.chown(), a.chmod(), a.checksum());
      } else if (instruction instanceof Expose e) {
        texts.addAll(e.ports());
      } else if (instruction instanceof Volume v) {
        texts.addAll(v.paths());
      } else if (instruction instanceof User u) {
        texts.add(u.user());
      } else if (instruction instanceof Workdir w) {
        texts.add(w.path());
      } else if (instruction instanceof Stopsignal s) {
        texts.add(s.signal());
      }
      return texts;
    }

    private static void addIfSet(List<String> texts, String... values) {
      for (String v : values) {
        if (v != null) {
          texts.add(v);
        }
      }
    }
  }
}
