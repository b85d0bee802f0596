package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container commands ({@code run}, {@code ps}, {@code stop}, {@code rm}, and a start the
 * runtime refuses) load none of Jackson's data binding, each in a JVM of its own: creating the
 * mapper and introspecting the records by reflection would cost a container start more than the
 * rest of its work. Nor do they compare, hash or print a record with its generated methods: the
 * JVM builds those from method handles at first use ({@code java.lang.runtime.ObjectMethods}),
 * some twenty classes spun at run time, which no class-data archive holds. Nor does a build.
 * Nor does a container's start build java.time's formatter.
 */
class NoDataBindingTest {
  @TempDir Path tmp;

  /** Runs {@code lamina} in a JVM of its own; returns its exit code and the data-binding classes. */
  private record Run(int code, String log, List<String> dataBinding) {}

  private Run lamina(Path store, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xlog:class+load=info:stdout");
    cmd.add(Main.class.getName());
    cmd.add("--root");
    cmd.add(store.toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    String log = out.toString(StandardCharsets.UTF_8);
    // Lines such as "[0.5s][info][class,load] com.fasterxml.jackson.databind.X source: ...".
    List<String> loaded =
        log.lines()
            .filter(l -> l.contains("[class,load] com.fasterxml.jackson.databind."))
            .map(l -> l.substring(l.indexOf("] com.") + 2).split(" ")[0])
            .toList();
    return new Run(p.exitValue(), log, loaded);
  }

  @Test
  void containerCommands_loadNoDataBinding() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Path store = tmp.resolve("store");
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    new Cli(store).run("import", rootfs.toString(), "busybox").ok();

    List<List<String>> commands =
        List.of(
            List.of("run", "--rm", "-v", "data:/data", "-v", "/anon", "busybox", "true"),
            List.of("run", "-d", "--name", "kept", "busybox", "sleep", "30"),
            List.of("ps", "-a"),
            List.of("stop", "-t", "1", "kept"),
            List.of("rm", "kept"));
    for (List<String> args : commands) {
      Run r = lamina(store, args.toArray(String[]::new));
      assertEquals(0, r.code(), args + "\n" + r.log());
      assertNoDataBinding(args, r);
    }
    Run refused = lamina(store, "run", "--rm", "busybox", "/no/such/command");
    assertEquals(127, refused.code(), refused.log());
    assertNoDataBinding(List.of("run", "/no/such/command"), refused);
  }

  @Test
  void containerCommands_bootstrapNoRecordMethods() throws Exception {
    Path store = storeWithBusybox();
    for (List<String> args :
        List.of(
            List.of("run", "--rm", "--network", "none", "busybox", "true"),
            List.of("run", "--rm", "busybox", "true"),
            List.of("ps", "-a"))) {
      Run r = lamina(store, args.toArray(String[]::new));
      assertEquals(0, r.code(), args + "\n" + r.log());
      assertFalse(
          r.log().contains("[class,load] java.lang.runtime.ObjectMethods "),
          args + " bootstrapped a record's equals, hashCode or toString");
    }
  }

  /**
   * Nor does a container's start build java.time's formatter, which the first {@code
   * Instant.toString} does (several milliseconds): records keep times as text, written by {@code
   * InstantText}; on its own network, and detached, too.
   */
  @Test
  void containerStarts_buildNoDateTimeFormatter() throws Exception {
    Path store = storeWithBusybox();
    try {
      for (List<String> args :
          List.of(
              List.of("run", "--rm", "--network", "none", "busybox", "true"),
              List.of("run", "--rm", "busybox", "true"),
              List.of("run", "-d", "--name", "kept", "--network", "none", "busybox", "sleep", "30"),
              List.of("create", "--name", "made", "busybox", "true"),
              List.of("start", "made"))) {
        Run r = lamina(store, args.toArray(String[]::new));
        assertEquals(0, r.code(), args + "\n" + r.log());
        assertFalse(
            r.log().contains("[class,load] java.time.format.DateTimeFormatter "),
            args + " built java.time's formatter");
      }
    } finally {
      new Cli(store).run("rm", "-f", "kept", "made");
    }
  }

  /**
   * A build of several stages hashes none of its recipe's records either: the stage graph keys
   * stages by index, where a record's hash would walk every instruction of the stage.
   */
  @Test
  void build_bootstrapsNoRecordMethods() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("a.txt"), "a");
    Files.writeString(context.resolve("Containerfile"), String.join("\n",
        "FROM scratch AS first",
        "COPY a.txt /a.txt",
        "FROM scratch",
        "COPY --from=first /a.txt /b.txt",
        "COPY a.txt /c.txt",
        ""));
    Run r = lamina(tmp.resolve("store"), "build", "-q", "-t", "two", context.toString());
    assertEquals(0, r.code(), r.log());
    assertFalse(
        r.log().contains("[class,load] java.lang.runtime.ObjectMethods "),
        "build bootstrapped a record's equals, hashCode or toString:\n" + r.log().lines()
            .filter(l -> l.contains("ObjectMethods") || l.contains("Stage"))
            .limit(20).reduce("", (a, b) -> a + b + "\n"));
  }

  private static void assertNoDataBinding(List<String> args, Run r) {
    List<String> loaded = r.dataBinding();
    assertTrue(
        loaded.isEmpty(),
        args + " loaded " + loaded.size() + " classes of data binding, the first "
            + loaded.subList(0, Math.min(3, loaded.size())));
  }

  /** A store holding busybox, for commands that run containers (root, runc, conmon, netavark). */
  private Path storeWithBusybox() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Requirements.require(
        Files.isExecutable(Path.of("/usr/lib/podman/netavark")),
        "netavark in /usr/lib/podman (apt-get install netavark)");
    Path store = tmp.resolve("store");
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    new Cli(store).run("import", rootfs.toString(), "busybox").ok();
    return store;
  }
}
