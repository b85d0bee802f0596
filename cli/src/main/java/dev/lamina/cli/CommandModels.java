package dev.lamina.cli;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Range;
import picocli.CommandLine.ScopeType;

/**
 * The commands' picocli models, read from {@code commands.model}, which the build writes from
 * the annotations ({@link CommandModelWriter}) and checks against them.
 *
 * <p>Why: picocli reads annotations through the JDK's dynamic proxies, which no class-data
 * archive can hold, and its annotation reader reflects over every member; a short command spent
 * more time there than on its work. Built from plain data with picocli's builders, a model is
 * the same (the build compares help text and every attribute) at a fraction of the cost. The
 * annotations stay the one place where options are declared.
 */
final class CommandModels {
  static final String RESOURCE = "commands.model";
  static final int FORMAT = 1;

  // Tags of recorded values.
  static final int NULL = 0;
  static final int STRING = 1;
  static final int STRINGS = 2;
  static final int BOOLEAN = 3;
  static final int INT = 4;
  static final int CHAR = 5;
  static final int DOUBLE = 6;
  static final int RANGE = 7;

  private final byte[] data;
  /** Where each top-level command's record starts, by its names (name and aliases). */
  private final Map<String, Integer> offsets = new HashMap<>();
  /** Top-level commands' offsets, in the order help lists them. */
  private final List<Integer> order = new ArrayList<>();
  private final int rootOffset;
  /** Top-level commands' outlines, in the order help lists them. */
  private final List<Outline> outlines = new ArrayList<>();

  /** What the top-level command's help shows of a command. */
  private record Outline(String[] names, boolean hidden, String[] header, String[] description) {}

  private CommandModels(byte[] data) throws IOException {
    this.data = data;
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
    if (in.readInt() != FORMAT) {
      throw new IOException("unknown format of " + RESOURCE);
    }
    rootOffset = in.readInt();
    int commands = in.readInt();
    for (int i = 0; i < commands; i++) {
      int offset = in.readInt();
      order.add(offset);
      String[] names = readStrings(in);
      for (String name : names) {
        offsets.put(name, offset);
      }
      outlines.add(new Outline(names, in.readBoolean(), readStrings(in), readStrings(in)));
    }
  }

  /** The models in {@code data}, as {@link CommandModelWriter} writes them. */
  static CommandModels of(byte[] data) {
    try {
      return new CommandModels(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The models the build wrote, or null when there are none (classes not built by Maven). */
  static CommandModels load() {
    String[] parts = BuiltData.model();
    if (parts != null) {
      return of(String.join("", parts).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    try (InputStream in = CommandModels.class.getResourceAsStream(RESOURCE)) {
      return in == null ? null : new CommandModels(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The top-level command's model, {@code main} its user object. */
  CommandSpec root(Main main) {
    return read(rootOffset, main);
  }

  /** Whether {@code name} names a top-level command (by name or alias). */
  boolean has(String name) {
    return offsets.containsKey(name);
  }

  /** A new command named {@code name} (a name or alias), with its subcommands. */
  CommandLine command(String name) {
    return new CommandLine(read(offsets.get(name), null));
  }

  /**
   * Whether {@code args} may name a command (other than as the first word, see {@link
   * Main#word}): an argument that is a command's name or alias, or an {@code @file}.
   */
  boolean mayNameACommand(String[] args) {
    for (String a : args) {
      if (offsets.containsKey(a) || a.startsWith("@")) {
        return true;
      }
    }
    return false;
  }

  /**
   * All commands as outlines: name, aliases, header, description and whether hidden, all that
   * the top-level command's help, its errors and their suggestions show of a command. For a
   * command line that names none (see {@link #mayNameACommand}).
   */
  List<CommandLine> outlines() {
    List<CommandLine> out = new ArrayList<>();
    for (Outline o : outlines) {
      CommandSpec spec =
          CommandSpec.create()
              .name(o.names()[0])
              .aliases(Arrays.copyOfRange(o.names(), 1, o.names().length));
      spec.usageMessage().hidden(o.hidden()).header(o.header()).description(o.description());
      out.add(new CommandLine(spec));
    }
    return out;
  }

  /** New instances of all commands, in the order help lists them. */
  List<CommandLine> all() {
    List<CommandLine> out = new ArrayList<>();
    for (int offset : order) {
      out.add(new CommandLine(read(offset, null)));
    }
    return out;
  }

  private CommandSpec read(int offset, Object userObject) {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, data.length));
    try {
      return readCommand(in, userObject);
    } catch (IOException | ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read the command models: " + e, e);
    }
  }

  private static CommandSpec readCommand(DataInputStream in, Object given)
      throws IOException, ReflectiveOperationException {
    Class<?> type = type(in.readUTF());
    Object command = given != null ? given : create(type);
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
    // The objects that hold fields: the command (holder 0) and its mixins, each put in the
    // field of the holder that declares it.
    List<Object> holders = new ArrayList<>(List.of(command));
    int mixins = in.readInt();
    for (int i = 0; i < mixins; i++) {
      // -1: a mixin no field holds (picocli's help options, HelpOption).
      int owner = in.readInt();
      Field field = owner < 0 ? null : type(in.readUTF()).getDeclaredField(in.readUTF());
      Object mixin = create(type(in.readUTF()));
      if (field != null) {
        new FieldBinding(holders.get(owner), field).set(mixin);
      }
      holders.add(mixin);
    }
    int specs = in.readInt();
    for (int i = 0; i < specs; i++) {
      Object owner = holders.get(in.readInt());
      Field field = type(in.readUTF()).getDeclaredField(in.readUTF());
      new FieldBinding(owner, field).set(spec);
    }
    readCommandAttributes(in, spec);
    int args = in.readInt();
    for (int i = 0; i < args; i++) {
      boolean option = in.readBoolean();
      String[] names = option ? readStrings(in) : null;
      FieldBinding binding = null;
      int holder = in.readInt();
      if (holder >= 0) {
        Field field = type(in.readUTF()).getDeclaredField(in.readUTF());
        binding = new FieldBinding(holders.get(holder), field);
      }
      Class<?> argType = type(in.readUTF());
      String[] aux = readStrings(in);
      Class<?>[] auxTypes = new Class<?>[aux.length];
      for (int a = 0; a < aux.length; a++) {
        auxTypes[a] = type(aux[a]);
      }
      Map<String, Object> attributes = readAttributes(in);
      if (option) {
        OptionSpec.Builder b = OptionSpec.builder(names).type(argType).auxiliaryTypes(auxTypes);
        if (binding != null) {
          // The field's value before parsing, as picocli records it from annotations.
          b.getter(binding).setter(binding).initialValue(binding.get());
        }
        attributes.forEach((k, v) -> option(b, k, v));
        spec.addOption(b.build());
      } else {
        PositionalParamSpec.Builder b =
            PositionalParamSpec.builder().type(argType).auxiliaryTypes(auxTypes);
        if (binding != null) {
          // The field's value before parsing, as picocli records it from annotations.
          b.getter(binding).setter(binding).initialValue(binding.get());
        }
        attributes.forEach((k, v) -> positional(b, k, v));
        spec.addPositional(b.build());
      }
    }
    int subcommands = in.readInt();
    for (int i = 0; i < subcommands; i++) {
      String name = in.readUTF();
      spec.addSubcommand(name, new CommandLine(readCommand(in, null)));
    }
    return spec;
  }

  private static void readCommandAttributes(DataInputStream in, CommandSpec spec)
      throws IOException, ReflectiveOperationException {
    UsageMessageSpec usage = spec.usageMessage();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String key = in.readUTF();
      Object v = readValue(in);
      switch (key) {
        case "name" -> spec.name((String) v);
        case "aliases" -> spec.aliases((String[]) v);
        case "version" -> spec.version((String[]) v);
        case "versionProvider" ->
            spec.versionProvider(
                (CommandLine.IVersionProvider)
                    create(type((String) v)));
        case "helpCommand" -> spec.helpCommand((Boolean) v);
        case "mixinStandardHelpOptions" -> {
          // The options are among the recorded ones; only the flag is set here.
        }
        case "usage.description" -> usage.description((String[]) v);
        case "usage.header" -> usage.header((String[]) v);
        case "usage.footer" -> usage.footer((String[]) v);
        case "usage.customSynopsis" -> usage.customSynopsis((String[]) v);
        case "usage.hidden" -> usage.hidden((Boolean) v);
        case "usage.headerHeading" -> usage.headerHeading((String) v);
        case "usage.synopsisHeading" -> usage.synopsisHeading((String) v);
        case "usage.descriptionHeading" -> usage.descriptionHeading((String) v);
        case "usage.parameterListHeading" -> usage.parameterListHeading((String) v);
        case "usage.optionListHeading" -> usage.optionListHeading((String) v);
        case "usage.commandListHeading" -> usage.commandListHeading((String) v);
        case "usage.footerHeading" -> usage.footerHeading((String) v);
        case "usage.synopsisSubcommandLabel" -> usage.synopsisSubcommandLabel((String) v);
        case "usage.abbreviateSynopsis" -> usage.abbreviateSynopsis((Boolean) v);
        case "usage.sortOptions" -> usage.sortOptions((Boolean) v);
        case "usage.sortSynopsis" -> usage.sortSynopsis((Boolean) v);
        case "usage.showDefaultValues" -> usage.showDefaultValues((Boolean) v);
        case "usage.showAtFileInUsageHelp" -> usage.showAtFileInUsageHelp((Boolean) v);
        case "usage.showEndOfOptionsDelimiterInUsageHelp" ->
            usage.showEndOfOptionsDelimiterInUsageHelp((Boolean) v);
        case "usage.requiredOptionMarker" -> usage.requiredOptionMarker((Character) v);
        case "parser.stopAtPositional" -> spec.parser().stopAtPositional((Boolean) v);
        case "parser.stopAtUnmatched" -> spec.parser().stopAtUnmatched((Boolean) v);
        case "parser.unmatchedArgumentsAllowed" ->
            spec.parser().unmatchedArgumentsAllowed((Boolean) v);
        default -> throw new IOException("unknown command attribute " + key);
      }
    }
  }

  /** Classes by name: a lookup by the class loader costs more than a command's other work. */
  private static final Map<String, Class<?>> TYPES = new ConcurrentHashMap<>();

  private static Class<?> type(String name) throws ClassNotFoundException {
    Class<?> known = TYPES.get(name);
    if (known == null) {
      known = lookUp(name);
      TYPES.put(name, known);
    }
    return known;
  }

  private static Class<?> lookUp(String name) throws ClassNotFoundException {
    return switch (name) {
      case "boolean" -> boolean.class;
      case "int" -> int.class;
      case "long" -> long.class;
      case "double" -> double.class;
      case "float" -> float.class;
      case "short" -> short.class;
      case "byte" -> byte.class;
      case "char" -> char.class;
      default -> Class.forName(name);
    };
  }

  /** A new instance of a command, mixin or provider class, as picocli's factory makes it. */
  private static Object create(Class<?> type) throws ReflectiveOperationException {
    var constructor = type.getDeclaredConstructor();
    constructor.setAccessible(true);
    return constructor.newInstance();
  }

  /** A new instance of the class {@code name} (see {@link #create}). */
  private static Object instance(String name) {
    try {
      return create(type(name));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot make a " + name + ": " + e, e);
    }
  }

  private static ITypeConverter<?>[] converters(String[] names) {
    ITypeConverter<?>[] out = new ITypeConverter<?>[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = (ITypeConverter<?>) instance(names[i]);
    }
    return out;
  }

  private static Map<String, Object> readAttributes(DataInputStream in) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      out.put(in.readUTF(), readValue(in));
    }
    return out;
  }

  /** Sets an option's attribute (see {@link CommandModelWriter} for those it records). */
  private static void option(OptionSpec.Builder b, String key, Object v) {
    switch (key) {
      case "arity" -> b.arity((Range) v);
      case "paramLabel" -> b.paramLabel((String) v);
      case "description" -> b.description((String[]) v);
      case "toString" -> b.withToString((String) v);
      case "required" -> b.required((Boolean) v);
      case "hidden" -> b.hidden((Boolean) v);
      case "hideParamSyntax" -> b.hideParamSyntax((Boolean) v);
      case "interactive" -> b.interactive((Boolean) v);
      case "echo" -> b.echo((Boolean) v);
      case "prompt" -> b.prompt((String) v);
      case "descriptionKey" -> b.descriptionKey((String) v);
      case "splitRegex" -> b.splitRegex((String) v);
      case "splitRegexSynopsisLabel" -> b.splitRegexSynopsisLabel((String) v);
      case "defaultValue" -> b.defaultValue((String) v);
      case "mapFallbackValue" -> b.mapFallbackValue((String) v);
      case "showDefaultValue" -> b.showDefaultValue(Visibility.valueOf((String) v));
      case "scopeType" -> b.scopeType(ScopeType.valueOf((String) v));
      case "fallbackValue" -> b.fallbackValue((String) v);
      case "negatable" -> b.negatable((Boolean) v);
      case "order" -> b.order((Integer) v);
      case "usageHelp" -> b.usageHelp((Boolean) v);
      case "versionHelp" -> b.versionHelp((Boolean) v);
      case "help" -> b.help((Boolean) v);
      case "converters" -> b.converters(converters((String[]) v));
      case "parameterConsumer" -> b.parameterConsumer((IParameterConsumer) instance((String) v));
      case "preprocessor" -> b.preprocessor((IParameterPreprocessor) instance((String) v));
      default -> throw new IllegalStateException("unknown option attribute " + key);
    }
  }

  /**
   * Sets a positional parameter's attribute: those an option has, but for its index. (A switch
   * of its own: the builder both extend, picocli's {@code ArgSpec.Builder}, is not public.)
   */
  private static void positional(PositionalParamSpec.Builder b, String key, Object v) {
    switch (key) {
      case "index" -> b.index((Range) v);
      case "arity" -> b.arity((Range) v);
      case "paramLabel" -> b.paramLabel((String) v);
      case "description" -> b.description((String[]) v);
      case "toString" -> b.withToString((String) v);
      case "required" -> b.required((Boolean) v);
      case "hidden" -> b.hidden((Boolean) v);
      case "hideParamSyntax" -> b.hideParamSyntax((Boolean) v);
      case "interactive" -> b.interactive((Boolean) v);
      case "echo" -> b.echo((Boolean) v);
      case "prompt" -> b.prompt((String) v);
      case "descriptionKey" -> b.descriptionKey((String) v);
      case "splitRegex" -> b.splitRegex((String) v);
      case "splitRegexSynopsisLabel" -> b.splitRegexSynopsisLabel((String) v);
      case "defaultValue" -> b.defaultValue((String) v);
      case "mapFallbackValue" -> b.mapFallbackValue((String) v);
      case "showDefaultValue" -> b.showDefaultValue(Visibility.valueOf((String) v));
      case "scopeType" -> b.scopeType(ScopeType.valueOf((String) v));
      case "converters" -> b.converters(converters((String[]) v));
      case "parameterConsumer" -> b.parameterConsumer((IParameterConsumer) instance((String) v));
      case "preprocessor" -> b.preprocessor((IParameterPreprocessor) instance((String) v));
      default -> throw new IllegalStateException("unknown parameter attribute " + key);
    }
  }

  static String[] readStrings(DataInputStream in) throws IOException {
    String[] s = new String[in.readInt()];
    for (int i = 0; i < s.length; i++) {
      s[i] = in.readUTF();
    }
    return s;
  }

  private static Object readValue(DataInputStream in) throws IOException {
    int tag = in.readByte();
    return switch (tag) {
      case NULL -> null;
      case STRING -> in.readUTF();
      case STRINGS -> readStrings(in);
      case BOOLEAN -> in.readBoolean();
      case INT -> in.readInt();
      case CHAR -> in.readChar();
      case DOUBLE -> in.readDouble();
      case RANGE ->
          new Range(
              in.readInt(),
              in.readInt(),
              in.readBoolean(),
              in.readBoolean(),
              in.readBoolean() ? in.readUTF() : null);
      default -> throw new IOException("unknown value tag " + tag);
    };
  }
}
