package dev.lamina.builder.recipe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code --name[=value]} flags one instruction accepts, and their parsed values. */
final class Flags {
  private enum Type {
    BOOL,
    STRING,
    STRINGS
  }

  private final Map<String, Type> declared = new LinkedHashMap<>();
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, List<String>> lists = new HashMap<>();

  Flags bool(String name) {
    declared.put(name, Type.BOOL);
    return this;
  }

  Flags string(String name) {
    declared.put(name, Type.STRING);
    return this;
  }

  Flags strings(String name) {
    declared.put(name, Type.STRINGS);
    return this;
  }

  /**
   * @throws IllegalArgumentException naming the flag that is unknown, repeated or malformed
   */
  Flags parse(List<String> raw) {
    for (String arg : raw) {
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException(InstructionErrors.flagWithoutDashes(arg));
      }
      if (arg.equals("--")) {
        return this;
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? null : body.substring(eq + 1);
      Type type = declared.get(name);
      if (type == null) {
        throw new IllegalArgumentException(InstructionErrors.unknownFlag(name));
      }
      if (type != Type.STRINGS && values.containsKey(name)) {
        throw new IllegalArgumentException(InstructionErrors.duplicateFlag(name));
      }
      switch (type) {
        case BOOL -> {
          if (value != null && value.isEmpty()) {
            throw new IllegalArgumentException(InstructionErrors.missingFlagValue(name));
          }
          String lower = value == null ? "true" : value.toLowerCase(Locale.ROOT);
          if (!lower.equals("true") && !lower.equals("false")) {
            throw new IllegalArgumentException(InstructionErrors.booleanFlag(name, value));
          }
          values.put(name, lower);
        }
        case STRING -> {
          if (value == null) {
            throw new IllegalArgumentException(InstructionErrors.missingFlagValue(name));
          }
          values.put(name, value);
        }
        case STRINGS -> {
          if (value == null) {
            throw new IllegalArgumentException(InstructionErrors.missingFlagValue(name));
          }
          lists.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return this;
  }

  /** A string flag's value, null if not given. */
  String value(String name) {
    return values.get(name);
  }

  /** A boolean flag: true if given without a value or as {@code =true}. */
  boolean isTrue(String name) {
    return "true".equals(values.get(name));
  }

  /** A boolean flag that distinguishes "not given" (null). */
  Boolean tristate(String name) {
    String v = values.get(name);
    return v == null ? null : Boolean.valueOf(v);
  }

  /** All values of a repeatable flag, in order. */
  List<String> values(String name) {
    return List.copyOf(lists.getOrDefault(name, List.of()));
  }
}
