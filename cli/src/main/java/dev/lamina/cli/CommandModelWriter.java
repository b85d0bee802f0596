package dev.lamina.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;
import picocli.CommandLine.Spec;

/**
 * Build step: writes {@link CommandModels}' {@code commands.model} from the commands'
 * annotations, then reads it back and checks that the models it gives are the annotations'
 * models: the same help text for every command, the same value of every attribute picocli
 * exposes. A difference fails the build, naming the command and the attribute.
 *
 * <p>Usage: {@code CommandModelWriter DIR} (the classes directory the resource goes into).
 */
public final class CommandModelWriter {
  /** Command attributes recorded when they differ from a model built in code. */
  private static final List<String> COMMAND_KEYS =
      List.of("aliases", "version", "helpCommand");

  private static final List<String> USAGE_KEYS =
      List.of(
          "description", "header", "footer", "customSynopsis", "hidden", "headerHeading",
          "synopsisHeading", "descriptionHeading", "parameterListHeading", "optionListHeading",
          "commandListHeading", "footerHeading", "synopsisSubcommandLabel", "abbreviateSynopsis",
          "sortOptions", "sortSynopsis", "showDefaultValues", "showAtFileInUsageHelp",
          "showEndOfOptionsDelimiterInUsageHelp", "requiredOptionMarker");

  private static final List<String> PARSER_KEYS =
      List.of("stopAtPositional", "stopAtUnmatched", "unmatchedArgumentsAllowed");

  /** Argument attributes recorded when they differ from a default one of the same type. */
  private static final List<String> ARG_KEYS =
      List.of(
          "required", "hidden", "hideParamSyntax", "interactive", "echo", "prompt",
          "descriptionKey", "splitRegex", "splitRegexSynopsisLabel", "defaultValue",
          "mapFallbackValue", "showDefaultValue", "scopeType");

  private static final List<String> OPTION_KEYS =
      List.of("fallbackValue", "negatable", "order", "usageHelp", "versionHelp", "help");

  private CommandModelWriter() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0], "dev", "lamina", "cli", CommandModels.RESOURCE);
    byte[] model = write();
    String expected = dump(Main.fullCommandLine(new Main(), null));
    String actual = dump(Main.fullCommandLine(new Main(), CommandModels.of(model)));
    if (!expected.equals(actual)) {
      throw new IllegalStateException("the command models differ from the annotations:\n"
          + firstDifference(expected, actual));
    }
    Files.createDirectories(file.getParent());
    Files.write(file, model);
    // The top-level help as the command line that shows it prints it (see QuickCommands).
    String help =
        Main.commandLine(new Main(), new String[] {"--help"}, CommandModels.of(model))
            .getUsageMessage(CommandLine.Help.Ansi.OFF);
    Path helpFile = file.resolveSibling(QuickCommands.HELP_RESOURCE);
    boolean plainHelp = help.chars().allMatch(c -> c < 0x80);
    if (plainHelp) {
      Files.writeString(helpFile, help, StandardCharsets.US_ASCII);
    } else {
      Files.deleteIfExists(helpFile);
    }
    // The same, as constants of BuiltData (see there).
    Files.write(
        file.resolveSibling(BuiltData.class.getSimpleName() + ".class"),
        builtDataClass(model, plainHelp ? help : null));
  }

  /** A string constant's most characters, each taking at most two bytes of its 64 KiB. */
  static final int CONSTANT_PART = 32 * 1024 - 1;

  /**
   * {@link BuiltData} returning {@code model} (as ISO-8859-1 text in parts of at most {@link
   * #CONSTANT_PART} characters) and {@code help} (null: none).
   */
  static byte[] builtDataClass(byte[] model, String help) {
    ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
    w.visit(Opcodes.V17, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER,
        Type.getInternalName(BuiltData.class), null, "java/lang/Object", null);
    MethodVisitor init = w.visitMethod(Opcodes.ACC_PRIVATE, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();

    String text = new String(model, StandardCharsets.ISO_8859_1);
    List<String> parts = new ArrayList<>();
    for (int at = 0; at < text.length(); at += CONSTANT_PART) {
      parts.add(text.substring(at, Math.min(text.length(), at + CONSTANT_PART)));
    }
    MethodVisitor m =
        w.visitMethod(Opcodes.ACC_STATIC, "model", "()[Ljava/lang/String;", null, null);
    m.visitCode();
    m.visitLdcInsn(parts.size());
    m.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/String");
    for (int i = 0; i < parts.size(); i++) {
      m.visitInsn(Opcodes.DUP);
      m.visitLdcInsn(i);
      m.visitLdcInsn(parts.get(i));
      m.visitInsn(Opcodes.AASTORE);
    }
    m.visitInsn(Opcodes.ARETURN);
    m.visitMaxs(0, 0);
    m.visitEnd();

    MethodVisitor h = w.visitMethod(Opcodes.ACC_STATIC, "help", "()Ljava/lang/String;", null, null);
    h.visitCode();
    if (help == null) {
      h.visitInsn(Opcodes.ACONST_NULL);
    } else {
      h.visitLdcInsn(help);
    }
    h.visitInsn(Opcodes.ARETURN);
    h.visitMaxs(0, 0);
    h.visitEnd();
    w.visitEnd();
    return w.toByteArray();
  }

  /** The models of the top-level command and of every command, from their annotations. */
  static byte[] write() throws IOException, ReflectiveOperationException {
    List<CommandLine> commands = new ArrayList<>();
    for (Class<?> c : Main.SUBCOMMANDS) {
      commands.add(HelpOption.addTo(new CommandLine(c)));
    }
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    DataOutputStream body = new DataOutputStream(records);
    List<Integer> offsets = new ArrayList<>();
    int rootOffset = body.size();
    writeCommand(body, new CommandLine(new Main()));
    for (CommandLine c : commands) {
      offsets.add(body.size());
      writeCommand(body, c);
    }
    // Offsets count from the file's start; the table's size does not depend on them.
    int headerSize = 4 + 4 + table(commands, offsets, 0).length;
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    DataOutputStream f = new DataOutputStream(file);
    f.writeInt(CommandModels.FORMAT);
    f.writeInt(rootOffset + headerSize);
    f.write(table(commands, offsets, headerSize));
    f.write(records.toByteArray());
    return file.toByteArray();
  }

  /** Each command's offset and names (its name, then its aliases). */
  private static byte[] table(List<CommandLine> commands, List<Integer> offsets, int shift)
      throws IOException {
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    DataOutputStream t = new DataOutputStream(table);
    t.writeInt(commands.size());
    for (int i = 0; i < commands.size(); i++) {
      CommandSpec spec = commands.get(i).getCommandSpec();
      t.writeInt(offsets.get(i) + shift);
      List<String> names = new ArrayList<>(List.of(spec.name()));
      names.addAll(List.of(spec.aliases()));
      writeStrings(t, names.toArray(String[]::new));
      // The outline (see CommandModels.outlines), its texts as written.
      spec.interpolateVariables(false);
      try {
        t.writeBoolean(spec.usageMessage().hidden());
        writeStrings(t, spec.usageMessage().header());
        writeStrings(t, spec.usageMessage().description());
      } finally {
        spec.interpolateVariables(true);
      }
    }
    return table.toByteArray();
  }

  private static void writeCommand(DataOutputStream out, CommandLine cli)
      throws IOException, ReflectiveOperationException {
    CommandSpec spec = cli.getCommandSpec();
    String name = spec.qualifiedName();
    require(spec.argGroups().isEmpty(), name, "argument groups");
    require(spec.unmatchedArgsBindings().isEmpty(), name, "@Unmatched");
    require(spec.parentCommandElements().isEmpty(), name, "@ParentCommand");
    require(spec.preprocessor().getClass().getName().contains("NoOp"), name, "a preprocessor");
    Object command = spec.userObject();
    out.writeUTF(command.getClass().getName());

    // Holders: the command, then its mixins (depth first), each with the holder it is put in.
    List<Object> holders = new ArrayList<>(List.of(command));
    List<CommandSpec> holderSpecs = new ArrayList<>(List.of(spec));
    ByteArrayOutputStream mixinBytes = new ByteArrayOutputStream();
    DataOutputStream mixins = new DataOutputStream(mixinBytes);
    int[] count = {0};
    addMixins(spec, 0, holders, holderSpecs, mixins, count);
    out.writeInt(count[0]);
    out.write(mixinBytes.toByteArray());

    // @Spec fields: the command's own spec, or a mixin's mixee (the command).
    List<String[]> specFields = new ArrayList<>();
    for (int i = 0; i < holders.size(); i++) {
      for (Field f : fields(holders.get(i).getClass())) {
        Spec s = f.getAnnotation(Spec.class);
        if (s != null) {
          boolean self = i == 0 && s.value() == Spec.Target.SELF;
          boolean mixee = i > 0 && s.value() == Spec.Target.MIXEE && ownerOf(i, holderSpecs, spec);
          require(self || mixee, name, "@Spec other than the command's own or its mixee's");
          specFields.add(
              new String[] {String.valueOf(i), f.getDeclaringClass().getName(), f.getName()});
        }
      }
    }
    out.writeInt(specFields.size());
    for (String[] f : specFields) {
      out.writeInt(Integer.parseInt(f[0]));
      out.writeUTF(f[1]);
      out.writeUTF(f[2]);
    }

    CommandSpec plain = CommandSpec.wrapWithoutInspection(new Object());
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("name", spec.name());
    diff(attributes, "", spec, plain, COMMAND_KEYS);
    // Texts as written, their ${...} variables left for picocli to fill in when it shows them.
    require(spec.interpolateVariables(), name, "interpolateVariables = false");
    spec.interpolateVariables(false);
    try {
      writeRest(out, cli, spec, plain, attributes, holders, name);
    } finally {
      spec.interpolateVariables(true);
    }
  }

  private static void writeRest(
      DataOutputStream out,
      CommandLine cli,
      CommandSpec spec,
      CommandSpec plain,
      Map<String, Object> attributes,
      List<Object> holders,
      String name)
      throws IOException, ReflectiveOperationException {
    if (spec.versionProvider() != null) {
      attributes.put("versionProvider", spec.versionProvider().getClass().getName());
    }
    diff(attributes, "usage.", spec.usageMessage(), plain.usageMessage(), USAGE_KEYS);
    diff(attributes, "parser.", spec.parser(), plain.parser(), PARSER_KEYS);
    writeAttributes(out, attributes);

    List<ArgSpec> args = spec.args().stream().filter(a -> !a.inherited()).toList();
    out.writeInt(args.size());
    for (ArgSpec arg : args) {
      writeArg(out, arg, holders, name);
    }

    // Subcommands under their names (each once: aliases come with the command).
    Map<CommandLine, String> subcommands = new IdentityHashMap<>();
    List<CommandLine> ordered = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : cli.getSubcommands().entrySet()) {
      if (subcommands.putIfAbsent(e.getValue(), e.getKey()) == null) {
        ordered.add(e.getValue());
      }
    }
    out.writeInt(ordered.size());
    for (CommandLine sub : ordered) {
      out.writeUTF(sub.getCommandName());
      writeCommand(out, sub);
    }
  }

  private static boolean ownerOf(int holder, List<CommandSpec> holderSpecs, CommandSpec command) {
    CommandSpec mixin = holderSpecs.get(holder);
    return command.mixins().containsValue(mixin);
  }

  private static void addMixins(
      CommandSpec owner,
      int ownerIndex,
      List<Object> holders,
      List<CommandSpec> holderSpecs,
      DataOutputStream out,
      int[] count)
      throws IOException {
    for (Map.Entry<String, CommandSpec> m : owner.mixins().entrySet()) {
      Object mixin = m.getValue().userObject();
      Field field = null;
      for (Field f : fields(holders.get(ownerIndex).getClass())) {
        f.setAccessible(true);
        try {
          if (f.get(holders.get(ownerIndex)) == mixin) {
            field = f;
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
      int index = holders.size();
      holders.add(mixin);
      holderSpecs.add(m.getValue());
      count[0]++;
      out.writeInt(field == null ? -1 : ownerIndex);
      if (field != null) {
        out.writeUTF(field.getDeclaringClass().getName());
        out.writeUTF(field.getName());
      }
      out.writeUTF(mixin.getClass().getName());
      addMixins(m.getValue(), index, holders, holderSpecs, out, count);
    }
  }

  private static void writeArg(DataOutputStream out, ArgSpec arg, List<Object> holders, String name)
      throws IOException, ReflectiveOperationException {
    out.writeBoolean(arg.isOption());
    if (arg instanceof OptionSpec o) {
      writeStrings(out, o.names());
    }
    Field field = arg.userObject() instanceof Field f ? f : null;
    int holder = -1;
    if (field != null) {
      for (int i = 0; i < holders.size(); i++) {
        if (field.getDeclaringClass().isInstance(holders.get(i))) {
          require(holder < 0, name, "two holders of " + field);
          holder = i;
        }
      }
      require(holder >= 0, name, "no holder of " + field);
    } else {
      require(
          arg.userObject() == null
              || arg.getter().getClass().getName().contains("ObjectBinding"),
          name, "a binding other than a field on " + arg);
    }
    out.writeInt(holder);
    if (holder >= 0) {
      out.writeUTF(field.getDeclaringClass().getName());
      out.writeUTF(field.getName());
    }
    out.writeUTF(arg.type().getName());
    writeStrings(
        out, Arrays.stream(arg.auxiliaryTypes()).map(Class::getName).toArray(String[]::new));

    ArgSpec plain =
        arg instanceof OptionSpec o
            ? OptionSpec.builder(o.names())
                .type(arg.type())
                .auxiliaryTypes(arg.auxiliaryTypes())
                .build()
            : PositionalParamSpec.builder()
                .type(arg.type())
                .auxiliaryTypes(arg.auxiliaryTypes())
                .build();
    Map<String, Object> attributes = new LinkedHashMap<>();
    if (arg instanceof PositionalParamSpec p) {
      attributes.put("index", p.index());
    }
    attributes.put("arity", arg.arity());
    attributes.put("paramLabel", arg.paramLabel());
    attributes.put("description", arg.description());
    attributes.put("toString", arg.toString());
    // Classes picocli makes an instance of with their no-argument constructor, as done again
    // when the model is read.
    if (arg.converters().length > 0) {
      attributes.put(
          "converters",
          Arrays.stream(arg.converters()).map(c -> c.getClass().getName()).toArray(String[]::new));
    }
    if (arg.parameterConsumer() != null) {
      attributes.put("parameterConsumer", arg.parameterConsumer().getClass().getName());
    }
    if (!arg.preprocessor().getClass().getName().contains("NoOp")) {
      attributes.put("preprocessor", arg.preprocessor().getClass().getName());
    }
    diff(attributes, "", arg, plain, ARG_KEYS);
    if (arg instanceof OptionSpec) {
      diff(attributes, "", arg, plain, OPTION_KEYS);
    }
    writeAttributes(out, attributes);
  }

  /** Puts the {@code keys} whose values differ between {@code a} and {@code b}. */
  private static void diff(
      Map<String, Object> into, String prefix, Object a, Object b, List<String> keys)
      throws ReflectiveOperationException {
    for (String key : keys) {
      Method m = a.getClass().getMethod(key);
      Object va = m.invoke(a);
      Object vb = m.invoke(b);
      if (!Objects.deepEquals(va, vb)) {
        into.put(prefix + key, va instanceof Enum<?> e ? e.name() : va);
      }
    }
  }

  private static void writeAttributes(DataOutputStream out, Map<String, Object> attributes)
      throws IOException {
    out.writeInt(attributes.size());
    for (Map.Entry<String, Object> e : attributes.entrySet()) {
      out.writeUTF(e.getKey());
      Object v = e.getValue();
      if (v == null) {
        out.writeByte(CommandModels.NULL);
      } else if (v instanceof String s) {
        out.writeByte(CommandModels.STRING);
        out.writeUTF(s);
      } else if (v instanceof String[] s) {
        out.writeByte(CommandModels.STRINGS);
        writeStrings(out, s);
      } else if (v instanceof Boolean bool) {
        out.writeByte(CommandModels.BOOLEAN);
        out.writeBoolean(bool);
      } else if (v instanceof Integer i) {
        out.writeByte(CommandModels.INT);
        out.writeInt(i);
      } else if (v instanceof Character c) {
        out.writeByte(CommandModels.CHAR);
        out.writeChar(c);
      } else if (v instanceof Double d) {
        out.writeByte(CommandModels.DOUBLE);
        out.writeDouble(d);
      } else if (v instanceof Range r) {
        out.writeByte(CommandModels.RANGE);
        out.writeInt(r.min());
        out.writeInt(r.max());
        out.writeBoolean(r.isVariable());
        out.writeBoolean(r.isUnspecified());
        out.writeBoolean(r.originalValue() != null);
        if (r.originalValue() != null) {
          out.writeUTF(r.originalValue());
        }
      } else {
        throw new IllegalStateException("cannot record " + e.getKey() + " = " + v);
      }
    }
  }

  private static void writeStrings(DataOutputStream out, String[] strings) throws IOException {
    out.writeInt(strings.length);
    for (String s : strings) {
      out.writeUTF(s);
    }
  }

  private static List<Field> fields(Class<?> c) {
    List<Field> out = new ArrayList<>();
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static void require(boolean condition, String command, String what) {
    if (!condition) {
      throw new IllegalStateException(command + ": the command models cannot hold " + what);
    }
  }

  /**
   * Everything picocli shows of a command tree: each command's help text, and the value of
   * every simple attribute of the command, its usage and parser settings and its arguments
   * (whatever {@link #write} records or not), then its subcommands.
   */
  static String dump(CommandLine cli) {
    StringBuilder sb = new StringBuilder();
    dump(cli, sb);
    return sb.toString();
  }

  private static void dump(CommandLine cli, StringBuilder sb) {
    CommandSpec spec = cli.getCommandSpec();
    String name = spec.qualifiedName();
    sb.append("== ").append(name).append('\n');
    sb.append(cli.getUsageMessage(CommandLine.Help.Ansi.OFF));
    sb.append("userObject: ").append(spec.userObject().getClass().getName()).append('\n');
    properties(name, spec, sb);
    properties(name + " usage", spec.usageMessage(), sb);
    properties(name + " parser", spec.parser(), sb);
    for (ArgSpec arg : spec.args()) {
      String a = name + " " + arg;
      properties(a, arg, sb);
      sb.append(a).append(" initialValue: ").append(show(arg.initialValue())).append('\n');
      sb.append(a).append(" value: ").append(show(arg.getValue())).append('\n');
      sb.append(a).append(" completion: ").append(show(arg.completionCandidates())).append('\n');
      sb.append(a).append(" typeInfo: ").append(arg.typeInfo().getClassName())
          .append(
              arg.typeInfo().getAuxiliaryTypeInfos().stream().map(t -> t.getClassName()).toList())
          .append(arg.typeInfo().isMultiValue()).append('\n');
    }
    for (Map.Entry<String, CommandLine> e : cli.getSubcommands().entrySet()) {
      sb.append(name).append(" subcommand ").append(e.getKey()).append('\n');
    }
    for (Map.Entry<String, CommandLine> e : cli.getSubcommands().entrySet()) {
      if (e.getKey().equals(e.getValue().getCommandName())) {
        dump(e.getValue(), sb);
      }
    }
  }

  /** Derived from the mixins picocli keeps, which the models do not (they add the options). */
  private static final List<String> NOT_SHOWN =
      List.of("mixinStandardHelpOptions", "modelTransformer", "hashCode", "toString", "getClass",
          "wait", "notify", "notifyAll");

  private static void properties(String prefix, Object o, StringBuilder sb) {
    List<Method> methods = new ArrayList<>(List.of(o.getClass().getMethods()));
    methods.sort(Comparator.comparing(Method::getName));
    for (Method m : methods) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())
          || NOT_SHOWN.contains(m.getName()) || !simple(m.getReturnType())) {
        continue;
      }
      try {
        sb.append(prefix).append(' ').append(m.getName()).append(": ")
            .append(show(m.invoke(o))).append('\n');
      } catch (ReflectiveOperationException e) {
        sb.append(prefix).append(' ').append(m.getName()).append(": ! ").append(e.getCause())
            .append('\n');
      }
    }
  }

  private static boolean simple(Class<?> t) {
    return t.isPrimitive() || t == String.class || t == String[].class || t == Boolean.class
        || t == Integer.class || t == Character.class || t.isEnum() || t == Class.class
        || t == Class[].class || t == Range.class;
  }

  private static String show(Object v) {
    if (v instanceof Object[] a) {
      return Arrays.deepToString(a);
    }
    if (v instanceof Iterable<?> i) {
      List<Object> l = new ArrayList<>();
      i.forEach(l::add);
      return l.toString();
    }
    if (v instanceof Range r) {
      return r + (r.isUnspecified() ? " (unspecified)" : "") + " " + r.originalValue();
    }
    return String.valueOf(v);
  }

  private static String firstDifference(String expected, String actual) {
    String[] e = expected.split("\n", -1);
    String[] a = actual.split("\n", -1);
    for (int i = 0; i < Math.min(e.length, a.length); i++) {
      if (!e[i].equals(a[i])) {
        return "line " + (i + 1) + "\n  annotations: " + e[i] + "\n  models:      " + a[i];
      }
    }
    return "lengths " + e.length + " and " + a.length;
  }
}
