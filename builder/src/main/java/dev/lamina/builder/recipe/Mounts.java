package dev.lamina.builder.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the value of {@code RUN --mount=} (comma-separated fields, CSV quoting). */
public final class Mounts {
  private static final Set<String> TYPES = Set.of("bind", "cache", "tmpfs", "secret", "ssh");
  private static final Pattern SIZE =
      Pattern.compile("(?i)^(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?$");

  private Mounts() {}

  /**
   * Parses one mount specification.
   *
   * @throws IllegalArgumentException with a one-line message naming the bad field
   */
  public static Mount parse(String spec) {
    String type = "bind";
    String target = null;
    String source = null;
    String from = null;
    String id = null;
    String sharing = null;
    String env = null;
    Boolean readOnly = null;
    Boolean required = null;
    Integer mode = null;
    Integer uid = null;
    Integer gid = null;
    Long size = null;
    for (String field : csvFields(spec)) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      String value = eq < 0 ? null : field.substring(eq + 1);
      if (value == null) {
        switch (key) {
          case "readonly", "ro" -> readOnly = true;
          case "readwrite", "rw" -> readOnly = false;
          case "required" -> {
            requireType(key, type, "secret", "ssh");
            required = true;
          }
          default -> throw new IllegalArgumentException(InstructionErrors.mountField(field));
        }
        continue;
      }
      switch (key) {
        case "type" -> {
          String lower = value.toLowerCase(Locale.ROOT);
          if (!TYPES.contains(lower)) {
            throw new IllegalArgumentException(InstructionErrors.mountType(value));
          }
          type = lower;
        }
        case "from" -> from = value;
        case "source", "src" -> source = value;
        case "target", "dst", "destination" -> target = value;
        case "readonly", "ro" -> readOnly = bool(key, value);
        case "readwrite", "rw" -> readOnly = !bool(key, value);
        case "required" -> {
          requireType(key, type, "secret", "ssh");
          required = bool(key, value);
        }
        case "size" -> {
          requireType(key, type, "tmpfs");
          size = bytes(value);
        }
        case "id" -> id = value;
        case "sharing" -> {
          requireType(key, type, "cache");
          sharing = value.toLowerCase(Locale.ROOT);
          if (!Set.of("shared", "private", "locked").contains(sharing)) {
            throw new IllegalArgumentException(InstructionErrors.mountSharing(value));
          }
        }
        case "mode" -> mode = number(key, value, 8);
        case "uid" -> uid = number(key, value, 10);
        case "gid" -> gid = number(key, value, 10);
        case "env" -> {
          requireType(key, type, "secret");
          env = value;
        }
        default -> throw new IllegalArgumentException(InstructionErrors.mountField(field));
      }
    }
    boolean fileInfo = type.equals("secret") || type.equals("ssh") || type.equals("cache");
    if (!fileInfo && (mode != null || uid != null || gid != null)) {
      String what = mode != null ? "mode" : uid != null ? "uid" : "gid";
      throw new IllegalArgumentException(InstructionErrors.mountOptionNotAllowed(what, type));
    }
    switch (type) {
      case "bind" -> {
        needTarget(type, target);
        return new Mount.Bind(target, source, from, readOnly == null || readOnly);
      }
      case "cache" -> {
        needTarget(type, target);
        Mount.Sharing share =
            sharing == null ? Mount.Sharing.SHARED : Mount.Sharing.valueOf(sharing.toUpperCase());
        return new Mount.Cache(
            target,
            id == null || id.isEmpty() ? target : id,
            share,
            source,
            from,
            readOnly != null && readOnly,
            mode == null ? 0755 : mode,
            uid == null ? 0 : uid,
            gid == null ? 0 : gid,
            mode != null || uid != null || gid != null);
      }
      case "tmpfs" -> {
        needTarget(type, target);
        return new Mount.Tmpfs(target, size == null ? 0 : size);
      }
      case "secret" -> {
        if (from != null) {
          throw new IllegalArgumentException(InstructionErrors.secretFrom());
        }
        if (source != null && id != null) {
          throw new IllegalArgumentException(InstructionErrors.secretSourceAndId());
        }
        String secretId = id != null ? id : source;
        if (secretId == null && target == null) {
          throw new IllegalArgumentException(InstructionErrors.secretNeedsTarget());
        }
        if (secretId == null) {
          secretId = target.substring(target.lastIndexOf('/') + 1);
        }
        String secretTarget = target;
        if (secretTarget == null && env == null) {
          secretTarget = "/run/secrets/" + secretId;
        }
        return new Mount.Secret(
            secretId,
            secretTarget,
            env,
            required != null && required,
            mode == null ? 0400 : mode,
            uid == null ? 0 : uid,
            gid == null ? 0 : gid);
      }
      default -> {
        return new Mount.Ssh(
            id == null || id.isEmpty() ? "default" : id,
            target,
            required != null && required,
            mode == null ? 0600 : mode,
            uid == null ? 0 : uid,
            gid == null ? 0 : gid);
      }
    }
  }

  private static void needTarget(String type, String target) {
    if (target == null || target.isEmpty()) {
      throw new IllegalArgumentException(InstructionErrors.mountTarget(type));
    }
  }

  private static void requireType(String key, String type, String... allowed) {
    for (String a : allowed) {
      if (a.equals(type)) {
        return;
      }
    }
    throw new IllegalArgumentException(InstructionErrors.mountKeyForType(key, type));
  }

  private static boolean bool(String key, String value) {
    // Go's strconv.ParseBool
    return switch (value) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw new IllegalArgumentException(InstructionErrors.mountValue(key, value));
    };
  }

  private static int number(String key, String value, int radix) {
    try {
      long n = Long.parseLong(value, radix);
      if (n < 0 || n > 0xFFFFFFFFL) {
        throw new NumberFormatException();
      }
      return (int) n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(InstructionErrors.mountNumber(key, value));
    }
  }

  /** Sizes like docker's RAMInBytes: {@code 64m}, {@code 1g}, {@code 512kb}, binary units. */
  private static long bytes(String value) {
    Matcher m = SIZE.matcher(value.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(InstructionErrors.mountValue("size", value));
    }
    double n = Double.parseDouble(m.group(1));
    int power = "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
    return (long) (n * Math.pow(1024, power));
  }

  /** One CSV record: commas separate fields, double quotes protect commas ({@code ""} = quote). */
  static List<String> csvFields(String spec) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < spec.length() && spec.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException(InstructionErrors.mountQuote(spec));
    }
    fields.add(field.toString());
    fields.removeIf(String::isEmpty);
    return fields;
  }
}
