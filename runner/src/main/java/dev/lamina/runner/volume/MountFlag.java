package dev.lamina.runner.volume;

import dev.lamina.runner.spec.BindMount;
import dev.lamina.runner.spec.ContainerPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code --mount type=bind|volume|tmpfs,KEY=VALUE,...} value with docker's keys: {@code
 * source}/{@code src}, {@code target}/{@code dst}/{@code destination}, {@code readonly}/{@code
 * ro}, {@code bind-propagation}, {@code volume-nocopy}, {@code volume-opt}, {@code tmpfs-size},
 * {@code tmpfs-mode} ({@code consistency} is accepted and means nothing on Linux, as in docker).
 * A bind or volume becomes a {@link VolumeSpec}; a tmpfs the {@code --tmpfs} entry it stands for.
 *
 * @param volume the bind or volume, else null
 * @param tmpfs {@code /path:options} for a tmpfs, else null
 */
public record MountFlag(VolumeSpec volume, String tmpfs) {

  /**
   * Parses one {@code --mount} value.
   *
   * @throws VolumeException naming the key or value that is wrong
   */
  public static MountFlag parse(String value) throws VolumeException {
    Map<String, String> keys = new LinkedHashMap<>();
    List<String> volumeOpts = new ArrayList<>();
    for (String field : csv(value)) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT).strip();
      // A bare key (readonly, volume-nocopy) is a flag that is set.
      String v = eq < 0 ? "" : field.substring(eq + 1);
      if (key.equals("volume-opt")) {
        volumeOpts.add(v);
        continue;
      }
      key = switch (key) {
        case "src" -> "source";
        case "dst", "destination" -> "target";
        case "ro" -> "readonly";
        default -> key;
      };
      if (keys.put(key, v) != null) {
        throw new VolumeException("invalid --mount " + value + ": " + key + " given twice");
      }
    }
    String type = keys.remove("type");
    if (type == null) {
      throw new VolumeException("invalid --mount " + value + ": type is required");
    }
    String target = keys.remove("target");
    if (target == null || target.isEmpty()) {
      throw new VolumeException("invalid --mount " + value + ": target is required");
    }
    if (!target.startsWith("/")) {
      throw new VolumeException("invalid --mount " + value + ": target must be an absolute path");
    }
    String dest = ContainerPaths.clean(target);
    boolean readOnly = flag(keys.remove("readonly"), "readonly", value);
    keys.remove("consistency");
    MountFlag parsed =
        switch (type) {
          case "bind" -> bind(keys, dest, readOnly, value);
          case "volume" -> volume(keys, dest, readOnly, volumeOpts, value);
          case "tmpfs" -> tmpfs(keys, dest, readOnly, value);
          default -> throw new VolumeException(
              "invalid --mount " + value + ": type " + type + " is not one of bind, volume, tmpfs");
        };
    if (!type.equals("volume") && !volumeOpts.isEmpty()) {
      throw new VolumeException("invalid --mount " + value + ": volume-opt needs type=volume");
    }
    if (!keys.isEmpty()) {
      throw new VolumeException(
          "invalid --mount " + value + ": unknown key " + keys.keySet().iterator().next()
              + " for type " + type);
    }
    return parsed;
  }

  private static MountFlag bind(
      Map<String, String> keys, String dest, boolean readOnly, String value)
      throws VolumeException {
    String source = keys.remove("source");
    if (source == null || source.isEmpty()) {
      throw new VolumeException("invalid --mount " + value + ": a bind needs a source");
    }
    if (!source.startsWith("/")) {
      throw new VolumeException(
          "invalid --mount " + value + ": the bind source must be an absolute path");
    }
    String propagation = keys.remove("bind-propagation");
    if (propagation != null && !BindMount.PROPAGATIONS.contains(propagation)) {
      throw new VolumeException("invalid --mount " + value + ": bind-propagation " + propagation
          + " is not one of private, rprivate, shared, rshared, slave, rslave");
    }
    keys.remove("bind-nonrecursive"); // accepted: docker's deprecated spelling; binds are rbind
    return new MountFlag(
        new VolumeSpec.Bind(Path.of(source).normalize(), dest, readOnly, propagation), null);
  }

  private static MountFlag volume(
      Map<String, String> keys, String dest, boolean readOnly, List<String> opts, String value)
      throws VolumeException {
    String source = keys.remove("source");
    boolean noCopy = flag(keys.remove("volume-nocopy"), "volume-nocopy", value);
    // The local driver keeps a volume as a directory; options that would mount a device or a
    // file system there (type=, device=, o=) have nothing to act on.
    if (!opts.isEmpty()) {
      throw new VolumeException(
          "invalid --mount " + value + ": volume-opt " + opts.get(0)
              + " is not supported: Lamina's volumes are plain directories (local driver, no"
              + " options)");
    }
    keys.remove("volume-driver");
    String name = null;
    if (source != null && !source.isEmpty()) {
      try {
        name = Volumes.validateName(source);
      } catch (VolumeException e) {
        throw new VolumeException("invalid --mount " + value + ": " + e.getMessage());
      }
    }
    return new MountFlag(new VolumeSpec.Named(name, dest, readOnly, noCopy), null);
  }

  private static MountFlag tmpfs(
      Map<String, String> keys, String dest, boolean readOnly, String value)
      throws VolumeException {
    if (keys.containsKey("source")) {
      throw new VolumeException("invalid --mount " + value + ": a tmpfs takes no source");
    }
    List<String> opts = new ArrayList<>();
    String size = keys.remove("tmpfs-size");
    if (size != null) {
      if (!size.matches("[0-9]+[kKmMgG]?")) {
        throw new VolumeException("invalid --mount " + value + ": tmpfs-size " + size
            + " is not a size in bytes (or with k, m, g)");
      }
      opts.add("size=" + size.toLowerCase(Locale.ROOT));
    }
    String mode = keys.remove("tmpfs-mode");
    if (mode != null) {
      if (!mode.matches("0?[0-7]{1,4}")) {
        throw new VolumeException(
            "invalid --mount " + value + ": tmpfs-mode " + mode + " is not an octal mode");
      }
      opts.add("mode=" + mode);
    }
    if (readOnly) {
      opts.add("ro");
    }
    return new MountFlag(null, opts.isEmpty() ? dest : dest + ":" + String.join(",", opts));
  }

  /** {@code readonly}, {@code readonly=true|1|false|0}. */
  private static boolean flag(String v, String key, String value) throws VolumeException {
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "", "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new VolumeException(
          "invalid --mount " + value + ": " + key + "=" + v + " is not true or false");
    };
  }

  /** Comma-separated fields; a field may be quoted ({@code "src=/a,b"}) as in docker's CSV. */
  private static List<String> csv(String value) throws VolumeException {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new VolumeException("invalid --mount " + value + ": unbalanced quote");
    }
    out.add(cur.toString());
    out.removeIf(String::isBlank);
    return out;
  }
}
