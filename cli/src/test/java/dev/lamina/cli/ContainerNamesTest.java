package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.testing.ChildJvm;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Container names through the CLI: taken once, across processes, in old stores and new. */
class ContainerNamesTest {
  @TempDir Path tmp;
  private Path root;
  private Cli lamina;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root(); // overlay mounts
    Requirements.tool("runc");
    root = tmp.resolve("store");
    lamina = new Cli(root);
    lamina.run("import", Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "bb").ok();
  }

  @AfterEach
  void removeContainers() throws Exception {
    for (String id : lamina.run("ps", "-aq").lines()) {
      lamina.run("rm", "-f", id);
    }
    OverlayMount.unmountAllUnder(tmp);
  }

  private List<String> names() {
    return lamina.run("ps", "-a", "--format", "{{.Names}}").ok().lines();
  }

  @Test
  void concurrentCreates_ofOneName_inSeparateProcesses_exactlyOneWins() throws Exception {
    List<Process> creators = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      creators.add(
          ChildJvm.of(Main.class, "--root", root.toString(), "create", "--network", "none",
                  "--name", "same", "bb", "true")
              .redirectErrorStream(true)
              .start());
    }
    int won = 0;
    List<String> refused = new ArrayList<>();
    for (Process p : creators) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() == 0) {
        won++;
      } else {
        refused.add(out);
      }
    }
    assertEquals(1, won, refused.toString());
    refused.forEach(out -> assertTrue(out.contains("already in use"), out));
    assertEquals(List.of("same"), names());
    lamina.run("system", "check").ok();
  }

  /** A store made before the index: its containers keep their names, and the index is built. */
  @Test
  void storeWithoutTheIndex_refusesATakenName_andFindsByName() throws Exception {
    String id = lamina.run("create", "--network", "none", "--name", "kept", "bb", "true")
        .ok().out().strip();
    lamina.run("create", "--network", "none", "--name", "other", "bb", "true").ok();
    Trees.deleteRecursively(root.resolve("containers/.names"));

    assertEquals(id, lamina.run("inspect", "-f", "{{.Id}}", "kept").ok().out().strip());
    Cli.Result again = lamina.run("create", "--network", "none", "--name", "kept", "bb", "true");
    assertEquals(ExitCodes.ERROR, again.code(), again.err());
    assertTrue(again.err().contains("already in use"), again.err());
    assertEquals(List.of("kept", "other"), names().stream().sorted().toList());
    lamina.run("system", "check").ok();

    lamina.run("rm", "kept").ok();
    assertEquals(List.of("other"), names());
    lamina.run("create", "--network", "none", "--name", "kept", "bb", "true").ok();
    assertEquals(List.of("kept", "other"), names().stream().sorted().toList());
  }

  @Test
  void systemCheck_reportsAnIndexOfNamesThatDisagrees_andRepairsIt() throws Exception {
    lamina.run("create", "--network", "none", "--name", "alpha", "bb", "true").ok();
    lamina.run("system", "check").ok();
    // What a damaged index would say: alpha free, though its container exists.
    Files.delete(root.resolve("containers/.names/alpha"));

    Cli.Result found = lamina.run("system", "check");
    assertEquals(ExitCodes.CHECK_FAILED, found.code(), found.out());
    assertTrue(found.out().contains("container name: alpha"), found.out());
    lamina.run("system", "check", "--repair").ok();
    lamina.run("system", "check").ok();
    Cli.Result taken = lamina.run("create", "--network", "none", "--name", "alpha", "bb", "true");
    assertTrue(taken.err().contains("already in use"), taken.err());
  }
}
