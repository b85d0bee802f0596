package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lamina completion} scripts, written from the command model, completed by a real bash;
 * the names they offer come from {@code lamina __complete}, which reads the store.
 */
class CompletionTest {
  @TempDir Path tmp;

  /**
   * What bash offers for {@code words} (the last one being completed), with a {@code lamina} on
   * the PATH that stands in for the store: it answers {@code __complete KIND} with KIND-a and
   * KIND-b, and logs its arguments.
   */
  private List<String> complete(String script, String... words) throws Exception {
    Path file = tmp.resolve("completion.bash");
    Files.writeString(file, script);
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path stub = bin.resolve("lamina");
    Files.writeString(stub, "#!/bin/bash\necho \"$*\" >> " + tmp.resolve("calls") + "\n"
        + "[ \"${@: -2:1}\" = __complete ] && printf '%s\\n' \"${@: -1}-a\" \"${@: -1}-b\"\n");
    stub.toFile().setExecutable(true);
    StringBuilder sh = new StringBuilder();
    sh.append("PATH=").append(bin).append(":$PATH\n");
    sh.append("source ").append(file).append('\n');
    sh.append("COMP_WORDS=(");
    for (String w : words) {
      sh.append('\'').append(w).append("' ");
    }
    sh.append(")\nCOMP_CWORD=").append(words.length - 1).append('\n');
    sh.append("cd ").append(tmp).append(" && _lamina; printf '%s\\n' \"${COMPREPLY[@]}\"\n");
    Process p = new ProcessBuilder(Requirements.tool("bash").toString(), "-c", sh.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out + "\n---\n" + sh);
    List<String> lines = new ArrayList<>(out.lines().filter(l -> !l.isEmpty()).toList());
    return lines;
  }

  @Test
  void bash_completesCommandsSubcommandsOptionsAndNames() throws Exception {
    String script = new Cli(tmp.resolve("store")).run("completion", "bash").ok().out();
    assertEquals(List.of("import", "images", "image", "inspect"),
        complete(script, "lamina", "i"));
    assertEquals(List.of("create", "ls", "list", "inspect", "rm", "remove", "prune"),
        complete(script, "lamina", "volume", ""));
    assertEquals(List.of("volumes-a", "volumes-b"), complete(script, "lamina", "volume", "rm", ""));
    assertEquals(List.of("networks-a", "networks-b"),
        complete(script, "lamina", "network", "inspect", ""));
    assertEquals(List.of("containers-a", "containers-b"), complete(script, "lamina", "stop", ""));
    assertEquals(List.of("images-a"), complete(script, "lamina", "run", "-e", "A=1", "--rm",
        "images-a"), "run's first argument is an image; -e takes a value");
    assertEquals(List.of("networks-a", "networks-b"),
        complete(script, "lamina", "run", "--network", ""));
    assertEquals(List.of("--filter"), complete(script, "lamina", "ps", "--fil"));
    assertEquals(List.of("containers-a", "containers-b", "images-a", "images-b"),
        complete(script, "lamina", "inspect", ""));
    assertEquals(List.of("images-a", "images-b"),
        complete(script, "lamina", "image", "inspect", ""), "image inspect names images only");
    Files.writeString(tmp.resolve("calls"), "");
    assertEquals(List.of("images-a", "images-b"),
        complete(script, "lamina", "--root", "/some/store", "rmi", ""));
    assertEquals("--root /some/store __complete images",
        Files.readString(tmp.resolve("calls")).strip(), "the store given is the one read");
  }

  /** Runs {@code shell -c script} with the stand-in {@code lamina} first on the PATH. */
  private String shell(String shell, String script) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path stub = bin.resolve("lamina");
    Files.writeString(stub, "#!/bin/bash\n"
        + "[ \"${@: -2:1}\" = __complete ] && printf '%s\\n' \"${@: -1}-a\" \"${@: -1}-b\"\n");
    stub.toFile().setExecutable(true);
    ProcessBuilder pb = new ProcessBuilder(Requirements.tool(shell).toString(), "-c", script)
        .redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("HOME", tmp.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void fish_completesFromItsOwnScript() throws Exception {
    Path script = tmp.resolve("lamina.fish");
    Files.writeString(script, new Cli(tmp.resolve("store")).run("completion", "fish").ok().out());
    String out = shell("fish", "source " + script + "; complete -C 'lamina volume '; echo ==;"
        + " complete -C 'lamina volume rm '; echo ==; complete -C 'lamina run --rm -e A=1 ';"
        + " echo ==; complete -C 'lamina ps --fil'; echo ==; complete -C 'lamina net'");
    List<String> parts = List.of(out.split("==\n"));
    assertEquals(List.of("create", "inspect", "list", "ls", "prune", "remove", "rm"),
        parts.get(0).lines().toList());
    assertEquals(List.of("volumes-a", "volumes-b"), parts.get(1).lines().toList());
    assertEquals(List.of("images-a", "images-b"), parts.get(2).lines().toList());
    assertTrue(parts.get(3).startsWith("--filter"), parts.get(3));
    assertEquals(List.of("network"), parts.get(4).lines().toList());
  }

  @Test
  void zsh_runsTheScriptAsBashcompinitDoes() throws Exception {
    Path script = tmp.resolve("_lamina");
    Files.writeString(script, new Cli(tmp.resolve("store")).run("completion", "zsh").ok().out());
    // bashcompinit calls the function under sh emulation (arrays from 0), as here.
    String out = shell("zsh", "source " + script + " && emulate sh -c"
        + " 'COMP_WORDS=(lamina stop \"\"); COMP_CWORD=2; _lamina; echo \"${COMPREPLY[@]}\"'");
    assertEquals("containers-a containers-b", out.lines().reduce((a, b) -> b).orElse(""), out);
  }

  @Test
  void everyCommandOfTheModel_isInTheScripts() {
    CommandLine model = CommandModel.full();
    Cli lamina = new Cli(tmp.resolve("store"));
    String bash = lamina.run("completion", "bash").ok().out();
    String zsh = lamina.run("completion", "zsh").ok().out();
    String fish = lamina.run("completion", "fish").ok().out();
    assertTrue(zsh.contains("bashcompinit") && zsh.startsWith("#compdef lamina"), zsh);
    assertTrue(fish.contains("complete -c lamina -f -a '(__lamina_complete)'"), fish);
    for (CompletionScripts.Spec s : CompletionScripts.specs(model)) {
      assertTrue(bash.contains("    '" + s.path() + "')\n"), s.path());
      assertTrue(fish.contains("        case '" + s.path() + "'\n"), s.path());
    }
    List<String> paths = CompletionScripts.specs(model).stream().map(CompletionScripts.Spec::path)
        .toList();
    assertTrue(paths.containsAll(List.of("", "run", "volume ls", "network create", "system df",
        "container prune", "completion")), paths.toString());
    assertTrue(!paths.contains(CleanupCommand.NAME) && !paths.contains("__complete"),
        "hidden commands are not offered");
    assertEquals(125, lamina.run("completion", "tcsh").code());
  }

  @Test
  void complete_offersTheStoresNames() throws Exception {
    Cli lamina = new Cli(tmp.resolve("store"));
    Path dir = Files.createDirectories(tmp.resolve("rootfs"));
    Files.writeString(dir.resolve("f"), "x");
    lamina.run("import", dir.toString(), "hello:1").ok();
    lamina.run("volume", "create", "vol1").ok();
    assertEquals(List.of("localhost/hello:1", "hello:1"),
        lamina.run("__complete", "images").ok().lines());
    assertEquals(List.of("vol1"), lamina.run("__complete", "volumes").ok().lines());
    assertTrue(lamina.run("__complete", "networks").ok().lines().containsAll(
        List.of("bridge", "host", "none")));
    assertEquals(List.of(), lamina.run("__complete", "containers").ok().lines());
  }

  @Test
  void manPages_oneForEveryCommand_listingItsOptions() throws Exception {
    CommandLine model = CommandModel.full();
    Map<String, String> pages = ManPages.all(model);
    for (CompletionScripts.Spec s : CompletionScripts.specs(model)) {
      String name = s.path().isEmpty() ? "lamina" : "lamina-" + s.path().replace(' ', '-');
      if (name.equals("lamina-help")) {
        continue;
      }
      String page = pages.get(name + ".1");
      assertTrue(page != null, "no page for " + s.path());
      for (String option : s.options()) {
        assertTrue(page.contains("\\fB" + ManPages.escape(option) + "\\fR"), name + " " + option);
      }
    }
    assertTrue(pages.get("lamina-volume.1").contains(".B ls\n"), "subcommands are listed");
    Path dir = tmp.resolve("man1");
    ManPages.main(new String[] {dir.toString()});
    assertEquals(pages.size(), Files.list(dir).count());
    Process p = new ProcessBuilder(Requirements.tool("groff").toString(), "-man", "-Tutf8", "-ww",
        "-z", dir.resolve("lamina-ps.1").toString(), dir.resolve("lamina.1").toString())
        .redirectErrorStream(true).start();
    String warnings = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    assertEquals("", warnings, "groff reads the pages without a warning");
    String shown = new Cli(tmp.resolve("store")).run("man", "volume", "ls").ok().out();
    assertEquals(pages.get("lamina-volume-ls.1"), shown, "lamina man prints the page off a terminal");
    assertEquals(125, new Cli(tmp.resolve("store")).run("man", "volum").code());
    // man looks in ../man beside each PATH directory: bin/../man leads to the built pages.
    Path top = Cli.projectRoot();
    assertEquals(Path.of("cli/target/man"), Files.readSymbolicLink(top.resolve("man")));
  }
}
