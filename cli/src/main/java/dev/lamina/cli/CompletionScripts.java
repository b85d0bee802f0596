package dev.lamina.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Shell completion scripts for bash, zsh and fish, written from the command model: every command
 * path with its subcommands, its options (and which take a value), and what each positional
 * argument names. Names of images, containers, volumes and networks come from the store when a
 * word is completed, through the hidden {@code lamina __complete KIND} command.
 */
final class CompletionScripts {
  private CompletionScripts() {}

  /** How many positional arguments get a kind of their own; later ones share the last. */
  static final int POSITIONS = 6;

  /** What a command at one path takes. */
  record Spec(String path, List<String> subcommands, List<String> options,
      Map<String, String> valueOptions, List<String> positions) {}

  /** Every command path of {@code root}, the root ({@code ""}) first. */
  static List<Spec> specs(CommandLine root) {
    List<Spec> out = new ArrayList<>();
    collect(root, "", out);
    return out;
  }

  private static void collect(CommandLine cmd, String path, List<Spec> out) {
    CommandSpec spec = cmd.getCommandSpec();
    List<String> subs = new ArrayList<>();
    Map<String, CommandLine> children = new LinkedHashMap<>();
    cmd.getSubcommands().forEach((name, c) -> {
      if (!c.getCommandSpec().usageMessage().hidden()) {
        subs.add(name);
        if (name.equals(c.getCommandName())) {
          children.put(name, c);
        }
      }
    });
    List<String> options = new ArrayList<>();
    Map<String, String> valueOptions = new LinkedHashMap<>();
    for (OptionSpec o : spec.options()) {
      if (o.hidden()) {
        continue;
      }
      for (String n : o.names()) {
        options.add(n);
        if (o.arity().max() > 0) {
          valueOptions.put(n, optionKind(o));
        }
      }
    }
    List<String> positions = new ArrayList<>();
    for (int i = 0; i < POSITIONS; i++) {
      positions.add(positionKind(cmd, i));
    }
    out.add(new Spec(path, subs, options, valueOptions, positions));
    children.forEach((name, c) -> collect(c, path.isEmpty() ? name : path + " " + name, out));
  }

  /** What the value of option {@code o} names: networks, volumes, or files (anything else). */
  static String optionKind(OptionSpec o) {
    for (String n : o.names()) {
      if (n.equals("--network") || n.equals("--net")) {
        return "networks";
      }
      if (n.equals("--volume") || n.equals("-v")) {
        return "volumes";
      }
    }
    return "files";
  }

  /** What the {@code index}th positional argument of {@code cmd} names. */
  static String positionKind(CommandLine cmd, int index) {
    for (PositionalParamSpec p : cmd.getCommandSpec().positionalParameters()) {
      if (p.hidden() || !p.index().contains(index)) {
        continue;
      }
      String label = p.paramLabel().toUpperCase(Locale.ROOT);
      String name = cmd.getCommandName();
      String parent = cmd.getParent() == null ? "" : cmd.getParent().getCommandName();
      if (label.contains("CONTAINER")) {
        return label.contains(":") ? "files" : "containers";
      }
      if (label.startsWith("IMAGE") || label.startsWith("REPOSITORY")
          || name.equals("tag") && label.equals("SOURCE")) {
        return "images";
      }
      if (label.equals("NAME")) {
        return switch (parent) {
          case "volume" -> "volumes";
          case "network" -> "networks";
          case "image" -> "images";
          default -> name.equals("inspect") ? "containers images" : "none";
        };
      }
      if (label.equals("COMMAND") || label.equals("TARGET") || label.equals("REGISTRY")
          || label.startsWith("PORT") || label.equals("PS_OPTIONS") || label.equals("ID")) {
        return "none";
      }
      return "files";
    }
    return "none";
  }

  static String bash(CommandLine root) {
    StringBuilder sb = new StringBuilder();
    sb.append("# bash completion for lamina, generated from its commands by"
        + " 'lamina completion bash'.\n");
    sb.append("# Load it with: source <(lamina completion bash)\n\n");
    sb.append(bashBody(root));
    sb.append("complete -o default -F _lamina lamina\n");
    return sb.toString();
  }

  static String zsh(CommandLine root) {
    return "#compdef lamina\n"
        + "# zsh completion for lamina, generated from its commands by 'lamina completion zsh'.\n"
        + "# Load it with: source <(lamina completion zsh)\n"
        + "autoload -U +X compinit && compinit\n"
        + "autoload -U +X bashcompinit && bashcompinit\n\n"
        + bashBody(root)
        + "complete -o default -F _lamina lamina\n";
  }

  /** The bash functions (zsh runs them through bashcompinit). */
  private static String bashBody(CommandLine root) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Sets subs, opts, vopts (OPTION=KIND for options that take a value) and pos (the\n"
        + "# kind of each positional argument) for a command path.\n");
    sb.append("_lamina_spec() {\n  subs= opts= vopts= pos=\n  case \"$1\" in\n");
    for (Spec s : specs(root)) {
      sb.append("    '").append(s.path()).append("')\n");
      sb.append("      subs='").append(String.join(" ", s.subcommands())).append("'\n");
      sb.append("      opts='").append(String.join(" ", s.options())).append("'\n");
      List<String> v = new ArrayList<>();
      s.valueOptions().forEach((o, k) -> v.add(o + "=" + k));
      sb.append("      vopts='").append(String.join(" ", v)).append("'\n");
      List<String> p = new ArrayList<>();
      s.positions().forEach(k -> p.add(k.replace(' ', '+')));
      sb.append("      pos='").append(String.join(" ", p)).append("' ;;\n");
    }
    sb.append("  esac\n}\n\n");
    sb.append("""
        # Names from the store (images, containers, volumes, networks).
        _lamina_names() {
          local k
          for k in ${1//+/ }; do
            command lamina "${_lamina_root[@]}" __complete "$k" 2>/dev/null
          done
        }

        # The kind of value OPTION takes under the current spec, or nothing.
        _lamina_value_kind() {
          local v
          for v in $vopts; do
            if [ "${v%%=*}" = "$1" ]; then echo "${v#*=}"; return 0; fi
          done
          return 1
        }

        _lamina_reply() {
          case "$1" in
            files|'') COMPREPLY=($(compgen -f -- "$cur")) ;;
            none) COMPREPLY=() ;;
            *) COMPREPLY=($(compgen -W "$(_lamina_names "$1")" -- "$cur")) ;;
          esac
        }

        # (Not "path": zsh ties that name to PATH.)
        _lamina() {
          local cur="${COMP_WORDS[COMP_CWORD]}" words_path= npos=0 i=1 w kind subs opts vopts pos
          local -a _lamina_root=()
          _lamina_spec ''
          while [ "$i" -lt "$COMP_CWORD" ]; do
            w="${COMP_WORDS[i]}"
            case "$w" in
              --root) _lamina_root=(--root "${COMP_WORDS[i+1]}"); i=$((i + 1)) ;;
              --root=*) _lamina_root=("$w") ;;
              --*=*) ;;
              -*) if _lamina_value_kind "$w" >/dev/null; then i=$((i + 1)); fi ;;
              *)
                if [ "$npos" -eq 0 ] && [[ " $subs " == *" $w "* ]]; then
                  words_path="${words_path:+$words_path }$w"
                  _lamina_spec "$words_path"
                else
                  npos=$((npos + 1))
                fi ;;
            esac
            i=$((i + 1))
          done
          local prev="${COMP_WORDS[COMP_CWORD-1]}"
          if [ "$COMP_CWORD" -gt 1 ] && [[ "$prev" == -* ]] && [[ "$prev" != *=* ]] \\
              && kind=$(_lamina_value_kind "$prev"); then
            _lamina_reply "$kind"
            return
          fi
          if [[ "$cur" == -* ]]; then
            COMPREPLY=($(compgen -W "$opts" -- "$cur"))
            return
          fi
          if [ "$npos" -eq 0 ] && [ -n "$subs" ]; then
            COMPREPLY=($(compgen -W "$subs" -- "$cur"))
            return
          fi
          local -a kinds=($pos)
          local at=$npos
          if [ "$at" -ge "${#kinds[@]}" ]; then at=$((${#kinds[@]} - 1)); fi
          _lamina_reply "${kinds[at]}"
        }

        """);
    return sb.toString();
  }

  static String fish(CommandLine root) {
    StringBuilder sb = new StringBuilder();
    sb.append("# fish completion for lamina, generated from its commands by"
        + " 'lamina completion fish'.\n");
    sb.append("# Load it with: lamina completion fish | source\n\n");
    sb.append("function __lamina_spec\n    set -g __lamina_subs\n    set -g __lamina_opts\n"
        + "    set -g __lamina_vopts\n    set -g __lamina_pos\n    switch \"$argv[1]\"\n");
    for (Spec s : specs(root)) {
      sb.append("        case '").append(s.path()).append("'\n");
      sb.append("            set -g __lamina_subs ").append(fishWords(s.subcommands())).append('\n');
      sb.append("            set -g __lamina_opts ").append(fishWords(s.options())).append('\n');
      List<String> v = new ArrayList<>();
      s.valueOptions().forEach((o, k) -> v.add(o + "=" + k));
      sb.append("            set -g __lamina_vopts ").append(fishWords(v)).append('\n');
      List<String> p = new ArrayList<>();
      s.positions().forEach(k -> p.add(k.replace(' ', '+')));
      sb.append("            set -g __lamina_pos ").append(fishWords(p)).append('\n');
    }
    sb.append("    end\nend\n\n");
    sb.append("""
        function __lamina_value_kind
            for v in $__lamina_vopts
                set -l parts (string split -m 1 = -- $v)
                if test "$parts[1]" = "$argv[1]"
                    echo $parts[2]
                    return 0
                end
            end
            return 1
        end

        function __lamina_reply
            set -l cur $argv[2]
            switch "$argv[1]"
                case files ''
                    __fish_complete_path $cur
                case none
                case '*'
                    for k in (string split + -- $argv[1])
                        command lamina $__lamina_root __complete $k 2>/dev/null
                    end
            end
        end

        function __lamina_complete
            set -l words (commandline -opc)
            set -l cur (commandline -ct)
            set -g __lamina_root
            set -l path ''
            set -l npos 0
            __lamina_spec ''
            set -l i 2
            while test $i -le (count $words)
                set -l w $words[$i]
                if test "$w" = --root
                    set i (math $i + 1)
                    set -g __lamina_root --root $words[$i]
                else if string match -q -- '--root=*' $w
                    set -g __lamina_root $w
                else if string match -q -- '--*=*' $w
                else if string match -q -- '-*' $w
                    if __lamina_value_kind $w >/dev/null
                        set i (math $i + 1)
                    end
                else if test $npos -eq 0; and contains -- $w $__lamina_subs
                    if test -z "$path"
                        set path $w
                    else
                        set path "$path $w"
                    end
                    __lamina_spec $path
                else
                    set npos (math $npos + 1)
                end
                set i (math $i + 1)
            end
            set -l prev $words[-1]
            if test (count $words) -gt 1; and string match -q -- '-*' $prev; and not string match -q -- '*=*' $prev
                set -l kind (__lamina_value_kind $prev)
                if test $status -eq 0
                    __lamina_reply $kind $cur
                    return
                end
            end
            if string match -q -- '-*' $cur
                printf '%s\\n' $__lamina_opts
                return
            end
            if test $npos -eq 0; and test (count $__lamina_subs) -gt 0
                printf '%s\\n' $__lamina_subs
                return
            end
            set -l at (math $npos + 1)
            if test $at -gt (count $__lamina_pos)
                set at (count $__lamina_pos)
            end
            __lamina_reply $__lamina_pos[$at] $cur
        end

        complete -c lamina -f -a '(__lamina_complete)'
        """);
    return sb.toString();
  }

  private static String fishWords(List<String> words) {
    List<String> quoted = new ArrayList<>();
    for (String w : words) {
      quoted.add("'" + w.replace("'", "\\'") + "'");
    }
    return String.join(" ", quoted);
  }

  /** The distinct kinds of name the scripts ask {@code __complete} for. */
  static final java.util.Set<String> KINDS =
      new TreeSet<>(List.of("images", "containers", "volumes", "networks"));
}
