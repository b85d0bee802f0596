package dev.lamina.builder.exec;

import dev.lamina.builder.recipe.Cmd;
import dev.lamina.builder.recipe.CommandLine;
import dev.lamina.builder.recipe.Entrypoint;
import dev.lamina.builder.recipe.Env;
import dev.lamina.builder.recipe.Expose;
import dev.lamina.builder.recipe.Healthcheck;
import dev.lamina.builder.recipe.KeyValue;
import dev.lamina.builder.recipe.Label;
import dev.lamina.builder.recipe.Maintainer;
import dev.lamina.builder.recipe.Onbuild;
import dev.lamina.builder.recipe.Shell;
import dev.lamina.builder.recipe.Stopsignal;
import dev.lamina.builder.recipe.User;
import dev.lamina.builder.recipe.Volume;
import dev.lamina.layerfs.oci.ContainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The instructions that only change the image config, with BuildKit's semantics and history
 * text: each adds an {@code empty_layer} history entry (ONBUILD adds none).
 */
final class ConfigSteps {
  /** The shell of shell-form commands when SHELL was not used. */
  static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

  private static final Set<String> SIGNALS =
      Set.of(
          "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
          "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
          "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU",
          "XFSZ");

  private ConfigSteps() {}

  static BuildState env(Interpreter in, BuildState state, Env env) {
    List<String> entries =
        new ArrayList<>(state.container().env() == null ? List.of() : state.container().env());
    StringBuilder history = new StringBuilder("ENV");
    for (KeyValue kv : env.pairs()) {
      String entry = kv.key() + "=" + kv.value();
      boolean replaced = false;
      for (int i = 0; i < entries.size(); i++) {
        String e = entries.get(i);
        int eq = e.indexOf('=');
        String key = eq < 0 ? e : e.substring(0, eq);
        if (key.equals(kv.key())) {
          entries.set(i, entry);
          replaced = true;
          break;
        }
      }
      if (!replaced) {
        entries.add(entry);
      }
      state = state.withVar(kv.key(), kv.value());
      history.append(' ').append(entry);
    }
    state = state.withContainer(state.container().toBuilder().env(entries).build());
    return state.withHistory(in.run.history(history.toString(), true));
  }

  static BuildState label(Interpreter in, BuildState state, Label label) {
    Map<String, String> labels = new TreeMap<>(
        state.container().labels() == null ? Map.of() : state.container().labels());
    StringBuilder history = new StringBuilder("LABEL");
    for (KeyValue kv : label.pairs()) {
      labels.put(kv.key(), kv.value());
      history.append(' ').append(kv.key()).append('=').append(kv.value());
    }
    state = state.withContainer(state.container().toBuilder().labels(labels).build());
    return state.withHistory(in.run.history(history.toString(), true));
  }

  static BuildState maintainer(Interpreter in, BuildState state, Maintainer m) {
    state = state.withConfig(state.config().withAuthor(m.maintainer()));
    return state.withHistory(in.run.history("MAINTAINER " + m.maintainer(), true));
  }

  static BuildState expose(Interpreter in, BuildState state, Expose expose)
      throws BuildException {
    Map<String, Map<String, Object>> ports = new TreeMap<>();
    if (state.container().exposedPorts() != null) {
      ports.putAll(state.container().exposedPorts());
    }
    List<String> added = new ArrayList<>();
    for (String spec : expose.ports()) {
      for (String p : portSpecs(spec)) {
        ports.put(p, Map.of());
        added.add(p);
      }
    }
    state = state.withContainer(state.container().toBuilder().exposedPorts(ports).build());
    return state.withHistory(in.run.history("EXPOSE " + String.join(" ", added), true));
  }

  /** {@code 80}, {@code 80/udp}, {@code 8000-8002/tcp} as {@code port/proto} keys. */
  static List<String> portSpecs(String spec) throws BuildException {
    String s = spec;
    int colon = s.lastIndexOf(':');
    if (colon >= 0) {
      s = s.substring(colon + 1); // ip:host:container forms keep the container port
    }
    String proto = "tcp";
    int slash = s.indexOf('/');
    if (slash >= 0) {
      proto = s.substring(slash + 1).toLowerCase(Locale.ROOT);
      s = s.substring(0, slash);
    }
    if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
      throw new BuildException("invalid proto: " + proto);
    }
    int lo;
    int hi;
    try {
      int dash = s.indexOf('-');
      lo = Integer.parseInt(dash < 0 ? s : s.substring(0, dash));
      hi = dash < 0 ? lo : Integer.parseInt(s.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw new BuildException("invalid containerPort: " + s);
    }
    if (lo < 0 || hi > 65535 || hi < lo) {
      throw new BuildException("invalid range specified for container: " + s);
    }
    List<String> out = new ArrayList<>();
    for (int p = lo; p <= hi; p++) {
      out.add(p + "/" + proto);
    }
    return out;
  }

  static BuildState user(Interpreter in, BuildState state, User user) {
    state = state.withContainer(state.container().toBuilder().user(user.user()).build());
    return state.withHistory(in.run.history("USER " + user.user(), true));
  }

  static BuildState volume(Interpreter in, BuildState state, Volume volume)
      throws BuildException {
    Map<String, Map<String, Object>> volumes = new TreeMap<>();
    if (state.container().volumes() != null) {
      volumes.putAll(state.container().volumes());
    }
    for (String v : volume.paths()) {
      if (v.isEmpty()) {
        throw new BuildException("VOLUME specified can not be an empty string");
      }
      volumes.put(v, Map.of());
    }
    state = state.withContainer(state.container().toBuilder().volumes(volumes).build());
    return state.withHistory(
        in.run.history("VOLUME [" + String.join(" ", volume.paths()) + "]", true));
  }

  static BuildState stopsignal(Interpreter in, BuildState state, Stopsignal s)
      throws BuildException {
    String sig = s.signal();
    String name = sig.toUpperCase(Locale.ROOT);
    name = name.startsWith("SIG") ? name.substring(3) : name;
    boolean valid = sig.matches("\\d{1,2}") && Integer.parseInt(sig) > 0 && Integer.parseInt(sig)
        < 65 || SIGNALS.contains(name) || name.matches("RTM(IN|AX)([+-]\\d{1,2})?");
    if (!valid) {
      throw new BuildException("invalid signal: " + sig);
    }
    state = state.withContainer(state.container().toBuilder().stopSignal(sig).build());
    return state.withHistory(in.run.history("STOPSIGNAL " + sig, true));
  }

  static BuildState shell(Interpreter in, BuildState state, Shell shell) {
    state = state.withContainer(state.container().toBuilder().shell(shell.shell()).build());
    return state.withHistory(
        in.run.history("SHELL [" + String.join(" ", shell.shell()) + "]", true));
  }

  static BuildState cmd(Interpreter in, BuildState state, Cmd cmd) {
    List<String> args = argv(state, cmd.command());
    state = state.withContainer(
        state.container().toBuilder().cmd(args).argsEscaped(Boolean.TRUE).build());
    return state.withCmdSet(true).withHistory(in.run.history("CMD " + goQuoted(args), true));
  }

  static BuildState entrypoint(Interpreter in, BuildState state, Entrypoint entrypoint) {
    List<String> args = argv(state, entrypoint.command());
    ContainerConfig.Builder b = state.container().toBuilder().entrypoint(args);
    if (!state.cmdSet()) {
      b.cmd(null); // an ENTRYPOINT resets the CMD inherited from the base
    }
    state = state.withContainer(b.build());
    return state.withHistory(in.run.history("ENTRYPOINT " + goQuoted(args), true));
  }

  static BuildState healthcheck(Interpreter in, BuildState state, Healthcheck h) {
    ContainerConfig.Healthcheck check;
    if (h.isNone()) {
      check = new ContainerConfig.Healthcheck(List.of("NONE"), null, null, null, null, null);
    } else {
      List<String> test = new ArrayList<>();
      if (h.command() instanceof CommandLine.ShellForm s) {
        test.add("CMD-SHELL");
        test.add(s.script());
      } else {
        test.add("CMD");
        test.addAll(((CommandLine.ExecForm) h.command()).args());
      }
      check =
          new ContainerConfig.Healthcheck(
              test,
              nanos(h.interval()),
              nanos(h.timeout()),
              nanos(h.startPeriod()),
              nanos(h.startInterval()),
              h.retries() == 0 ? null : h.retries());
    }
    state = state.withContainer(state.container().toBuilder().healthcheck(check).build());
    return state.withHistory(
        in.run.history("HEALTHCHECK &{" + goQuoted(check.test()) + "}", true));
  }

  static BuildState onbuild(Interpreter in, BuildState state, Onbuild o) {
    List<String> triggers = new ArrayList<>(
        state.container().onBuild() == null ? List.of() : state.container().onBuild());
    triggers.add(o.expression());
    return state.withContainer(state.container().toBuilder().onBuild(triggers).build());
  }

  /** The argument vector of a CMD/ENTRYPOINT: exec form as is, shell form through SHELL. */
  static List<String> argv(BuildState state, CommandLine command) {
    if (command instanceof CommandLine.ExecForm e) {
      return e.args();
    }
    List<String> shell = shell(state);
    List<String> out = new ArrayList<>(shell);
    out.add(((CommandLine.ShellForm) command).script());
    return out;
  }

  /** The stage's shell: SHELL's value, else {@code /bin/sh -c}. */
  static List<String> shell(BuildState state) {
    List<String> s = state.container().shell();
    return s == null || s.isEmpty() ? DEFAULT_SHELL : s;
  }

  private static Long nanos(Duration d) {
    return d == null || d.isZero() ? null : d.toNanos();
  }

  /** A string list as Go's {@code %q} prints it: {@code ["a" "b"]}. */
  static String goQuoted(List<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append('"');
      for (char c : values.get(i).toCharArray()) {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\t' -> out.append("\\t");
          case '\r' -> out.append("\\r");
          default -> {
            if (c < 0x20) {
              out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
    return out.append(']').toString();
  }

  static Map<String, String> copyOf(Map<String, String> m) {
    return new LinkedHashMap<>(m);
  }
}
