package dev.lamina.runner.spec;

import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A seccomp profile file in Docker's format ({@code --security-opt seccomp=FILE}), turned into the
 * runtime spec's filter for one container. Docker's format extends the spec's: {@code archMap}
 * besides {@code architectures}, {@code name} besides {@code names}, and rules that apply only on
 * some architectures, kernels, or to containers holding (or lacking) some capabilities ({@code
 * includes}, {@code excludes}). Those conditions are settled here, against this machine and the
 * container's bounding set.
 */
public final class SeccompProfileFile {
  /** A profile is a configuration file, not data: Docker's own is about 20 KiB. */
  private static final int MAX_BYTES = 1 << 20;

  private static final Set<String> ACTIONS =
      Set.of(
          "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
          "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE", "SCMP_ACT_LOG",
          "SCMP_ACT_NOTIFY");
  private static final Set<String> OPERATORS =
      Set.of(
          "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
          "SCMP_CMP_MASKED_EQ");

  private final String arch;
  private final int[] kernel;
  private final Set<String> capabilities;

  /**
   * @param arch Docker's name for this machine's architecture ({@code amd64}, {@code arm64})
   * @param kernel the running kernel's version, as major and minor
   * @param capabilities the container's bounding set, {@code CAP_} names
   */
  SeccompProfileFile(String arch, int[] kernel, List<String> capabilities) {
    this.arch = arch;
    this.kernel = kernel.clone();
    this.capabilities = Set.copyOf(capabilities);
  }

  /** For this machine. */
  static SeccompProfileFile forHost(List<String> capabilities) throws IOException {
    String os = System.getProperty("os.arch");
    String arch = os.equals("x86_64") ? "amd64" : os.equals("aarch64") ? "arm64" : os;
    return new SeccompProfileFile(arch, kernelVersion(System.getProperty("os.version")), capabilities);
  }

  /**
   * Reads {@code file}.
   *
   * @throws IOException when it cannot be read, is not such a profile, or names an unknown action
   *     or operator (the message names the file)
   */
  RuntimeSpec.Seccomp read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new IOException("cannot read seccomp profile " + file + ": " + e.getMessage(), e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new IOException("seccomp profile " + file + " is over 1 MiB");
    }
    try {
      return convert(JsonObject.parse(bytes));
    } catch (IOException e) {
      throw new IOException("seccomp profile " + file + ": " + e.getMessage(), e);
    }
  }

  RuntimeSpec.Seccomp convert(JsonObject profile) throws JsonFormatException {
    String defaultAction = action(profile, "defaultAction");
    List<String> architectures = new ArrayList<>();
    if (profile.has("archMap")) {
      for (JsonObject m : profile.objects("archMap")) {
        architectures.add(m.string("architecture"));
        architectures.addAll(orEmpty(m.strings("subArchitectures")));
      }
    } else {
      architectures.addAll(orEmpty(profile.strings("architectures")));
    }
    List<RuntimeSpec.SyscallRule> rules = new ArrayList<>();
    for (JsonObject rule : orEmpty(profile.objects("syscalls"))) {
      if (applies(rule)) {
        rules.add(rule(rule));
      }
    }
    return new RuntimeSpec.Seccomp(
        defaultAction,
        profile.intOrNull("defaultErrnoRet"),
        architectures.isEmpty() ? null : List.copyOf(architectures),
        List.copyOf(rules));
  }

  private boolean applies(JsonObject rule) throws JsonFormatException {
    if (rule.isObject("includes")) {
      JsonObject in = rule.object("includes");
      List<String> arches = orEmpty(in.strings("arches"));
      if (!arches.isEmpty() && !arches.contains(arch)) {
        return false;
      }
      if (!capabilities.containsAll(orEmpty(in.strings("caps")))) {
        return false;
      }
      String min = in.string("minKernel");
      if (min != null && !atLeast(kernel, kernelVersion(min))) {
        return false;
      }
    }
    if (rule.isObject("excludes")) {
      JsonObject ex = rule.object("excludes");
      if (orEmpty(ex.strings("arches")).contains(arch)) {
        return false;
      }
      for (String cap : orEmpty(ex.strings("caps"))) {
        if (capabilities.contains(cap)) {
          return false;
        }
      }
      String min = ex.string("minKernel");
      if (min != null && atLeast(kernel, kernelVersion(min))) {
        return false;
      }
    }
    return true;
  }

  private static RuntimeSpec.SyscallRule rule(JsonObject rule) throws JsonFormatException {
    List<String> names = new ArrayList<>(orEmpty(rule.strings("names")));
    String single = rule.string("name");
    if (single != null) {
      names.add(single);
    }
    if (names.isEmpty()) {
      throw rule.invalid("a syscalls entry names no system call");
    }
    List<RuntimeSpec.SyscallArg> args = new ArrayList<>();
    for (JsonObject a : orEmpty(rule.objects("args"))) {
      String op = a.string("op");
      if (!OPERATORS.contains(op)) {
        throw a.invalid("unknown seccomp operator: " + op);
      }
      args.add(
          new RuntimeSpec.SyscallArg(
              a.intValue("index", 0), a.longValue("value", 0), a.longValue("valueTwo", 0), op));
    }
    return new RuntimeSpec.SyscallRule(
        List.copyOf(names),
        action(rule, "action"),
        rule.intOrNull("errnoRet"),
        args.isEmpty() ? null : List.copyOf(args));
  }

  private static String action(JsonObject o, String field) throws JsonFormatException {
    String a = o.string(field);
    if (!ACTIONS.contains(a)) {
      throw o.invalid(field + " is not a seccomp action: " + a);
    }
    return a;
  }

  /** {@code 5.10.0-28-amd64} as {5, 10}; an unreadable version as {0, 0}. */
  static int[] kernelVersion(String version) {
    String[] parts = version.split("[.-]");
    try {
      return new int[] {
        Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0
      };
    } catch (NumberFormatException e) {
      return new int[] {0, 0};
    }
  }

  private static boolean atLeast(int[] have, int[] want) {
    return have[0] != want[0] ? have[0] > want[0] : have[1] >= want[1];
  }

  private static <T> List<T> orEmpty(List<T> l) {
    return l == null ? List.of() : l;
  }
}
