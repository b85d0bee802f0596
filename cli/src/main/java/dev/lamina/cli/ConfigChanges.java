package dev.lamina.cli;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.parse.ParseResult;
import dev.lamina.builder.parse.Parser;
import dev.lamina.builder.recipe.Cmd;
import dev.lamina.builder.recipe.CommandLine;
import dev.lamina.builder.recipe.Entrypoint;
import dev.lamina.builder.recipe.Env;
import dev.lamina.builder.recipe.Expose;
import dev.lamina.builder.recipe.Instruction;
import dev.lamina.builder.recipe.InstructionParser;
import dev.lamina.builder.recipe.KeyValue;
import dev.lamina.builder.recipe.Label;
import dev.lamina.builder.recipe.Onbuild;
import dev.lamina.builder.recipe.Shell;
import dev.lamina.builder.recipe.Stopsignal;
import dev.lamina.builder.recipe.User;
import dev.lamina.builder.recipe.Volume;
import dev.lamina.builder.recipe.Workdir;
import dev.lamina.layerfs.oci.ContainerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code --change 'CMD ["sh"]'} for {@code import}: recipe instructions that only change the
 * config, parsed by the recipe parser and applied with the builder's rules.
 */
final class ConfigChanges {
  private ConfigChanges() {}

  static ContainerConfig apply(List<String> changes) throws Exception {
    return apply(ContainerConfig.EMPTY, changes);
  }

  /** {@code base} with {@code changes} applied in order. */
  static ContainerConfig apply(ContainerConfig base, List<String> changes) throws Exception {
    ContainerConfig c = base;
    for (String change : changes) {
      c = apply(c, parse(change));
    }
    return c;
  }

  private static Instruction parse(String change) throws Exception {
    ParseResult parsed = Parser.parse(change + "\n", "--change");
    if (parsed.nodes().size() != 1) {
      throw new UserException("--change takes exactly one instruction: " + change);
    }
    Instruction i = InstructionParser.of(parsed).parse(parsed.nodes().get(0));
    return i.expand(Expander.of('\\', Map.of()));
  }

  private static ContainerConfig apply(ContainerConfig c, Instruction i) {
    ContainerConfig.Builder b = c.toBuilder();
    if (i instanceof Cmd cmd) {
      b.cmd(argv(c, cmd.command()));
    } else if (i instanceof Entrypoint e) {
      b.entrypoint(argv(c, e.command())).cmd(null);
    } else if (i instanceof Env env) {
      Map<String, String> vars = new LinkedHashMap<>();
      for (String kv : c.env() == null ? List.<String>of() : c.env()) {
        int eq = kv.indexOf('=');
        vars.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
      for (KeyValue kv : env.pairs()) {
        vars.put(kv.key(), kv.value());
      }
      List<String> out = new ArrayList<>();
      vars.forEach((k, v) -> out.add(k + "=" + v));
      b.env(out);
    } else if (i instanceof Expose x) {
      Map<String, Map<String, Object>> ports =
          new TreeMap<>(c.exposedPorts() == null ? Map.of() : c.exposedPorts());
      for (String p : x.ports()) {
        ports.put(p.contains("/") ? p : p + "/tcp", Map.of());
      }
      b.exposedPorts(ports);
    } else if (i instanceof Label l) {
      Map<String, String> labels = new TreeMap<>(c.labels() == null ? Map.of() : c.labels());
      l.pairs().forEach(kv -> labels.put(kv.key(), kv.value()));
      b.labels(labels);
    } else if (i instanceof User u) {
      b.user(u.user());
    } else if (i instanceof Volume v) {
      Map<String, Map<String, Object>> vols =
          new TreeMap<>(c.volumes() == null ? Map.of() : c.volumes());
      v.paths().forEach(p -> vols.put(p, Map.of()));
      b.volumes(vols);
    } else if (i instanceof Workdir w) {
      b.workingDir(w.path());
    } else if (i instanceof Stopsignal s) {
      b.stopSignal(s.signal());
    } else if (i instanceof Shell s) {
      b.shell(s.shell());
    } else if (i instanceof Onbuild o) {
      List<String> triggers = new ArrayList<>(c.onBuild() == null ? List.of() : c.onBuild());
      triggers.add(o.expression());
      b.onBuild(triggers);
    } else {
      throw new UserException(
          i.name() + " cannot be used with --change (only config instructions can)");
    }
    return b.build();
  }

  private static List<String> argv(ContainerConfig c, CommandLine command) {
    if (command instanceof CommandLine.ExecForm exec) {
      return exec.args();
    }
    String script = ((CommandLine.ShellForm) command).script();
    List<String> shell =
        new ArrayList<>(c.shell() == null ? List.of("/bin/sh", "-c") : c.shell());
    shell.add(script);
    return shell;
  }
}
