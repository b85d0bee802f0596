package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lamina cp} both ways, on running and stopped containers, with docker's rules; and the
 * container's links never lead a copy out of its root (CVE-2018-15664's lesson: the container is
 * paused meanwhile, and every path is resolved inside its root).
 */
class CpCommandTest {
  @TempDir Path tmp;
  private Cli lamina;
  private Path host;
  private Path victim;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "busybox").ok();
    host = Files.createDirectories(tmp.resolve("host/dir/sub"));
    host = host.getParent();
    Files.writeString(host.resolve("a"), "a\n");
    Files.writeString(host.resolve("sub/b"), "b\n");
    Files.createSymbolicLink(host.resolve("link"), Path.of("a"));
    victim = Files.createDirectories(tmp.resolve("victim"));
    Files.writeString(victim.resolve("secret"), "host secret\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (String id : lamina.run("ps", "-aq").out().lines().toList()) {
      lamina.run("rm", "-f", id);
    }
    OverlayMount.unmountAllUnder(tmp);
  }

  private String exec(String script) {
    return lamina.run("exec", "box", "sh", "-c", script).ok().out();
  }

  @Test
  void intoARunningContainer_docker_rules_ownersRoot_orKeptWithArchive() throws Exception {
    lamina.run("run", "-d", "--name", "box", "busybox", "sh", "-c",
        "mkdir /data; echo inside > /data/file; sleep 60").ok();
    Files.setAttribute(host.resolve("a"), "unix:uid", 4321);

    lamina.run("cp", host.toString(), "box:/data").ok(); // into the existing directory
    lamina.run("cp", host + "/.", "box:/contents").ok(); // a new directory, with the contents
    lamina.run("cp", host.resolve("a").toString(), "box:/data/renamed").ok();
    lamina.run("cp", "-a", host.resolve("a").toString(), "box:data/kept").ok();
    assertEquals(
        List.of("a\n", "b\n", "a\n", "0 a\n", "4321 a\n", "a\nb\n"),
        List.of(exec("cat /data/dir/a"), exec("cat /data/dir/sub/b"),
            exec("readlink /data/dir/link"), exec("stat -c '%u ' /data/renamed | tr -d '\\n'; cat /data/renamed"),
            exec("stat -c '%u ' /data/kept | tr -d '\\n'; cat /data/kept"),
            exec("cat /contents/a /contents/sub/b")));
    assertTrue(lamina.run("ps").ok().out().contains("box"), "still running");

    assertEquals(125, lamina.run("cp", host.toString(), "box:/data/file").code(), "dir onto file");
    assertEquals(125, lamina.run("cp", host.resolve("a").toString(), "box:/nope/x").code());
    assertEquals(125, lamina.run("cp", tmp.resolve("missing").toString(), "box:/x").code());
    assertEquals(125, lamina.run("cp", host.toString(), tmp.toString()).code(), "host to host");
  }

  @Test
  void outOfAContainer_linksAsLinks_orFollowedWithL_stoppedContainersToo() throws Exception {
    lamina.run("run", "--name", "box", "busybox", "sh", "-c",
        "mkdir -p /data/d; echo x > /data/d/x; ln -s /etc/passwd /data/pw; ln -s x /data/d/rel")
        .ok();
    Path out = tmp.resolve("out");
    lamina.run("cp", "box:/data", out.toString()).ok();
    assertEquals("x\n", Files.readString(out.resolve("d/x")));
    assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(out.resolve("pw")));
    assertEquals(Path.of("x"), Files.readSymbolicLink(out.resolve("d/rel")));

    lamina.run("cp", "-L", "box:/data/pw", tmp.resolve("passwd").toString()).ok();
    String copied = Files.readString(tmp.resolve("passwd"));
    assertTrue(copied.startsWith("root:x:0:0:"), copied);
    assertFalse(copied.equals(Files.readString(Path.of("/etc/passwd"))), "the container's own");

    lamina.run("cp", host.resolve("a").toString(), "box:/data/added").ok();
    assertEquals(List.of(), MountTable.mountPointsUnder(tmp.resolve("store/containers")),
        "a stopped container is mounted for the copy only");
    lamina.run("rm", "box").ok();
  }

  /** The container's links point out of its root; every copy stays inside it. */
  @Test
  void containerLinks_neverLeadOut() throws Exception {
    String up = "../".repeat(20) + victim.toString().substring(1);
    lamina.run("run", "-d", "--name", "box", "busybox", "sh", "-c",
        "mkdir /data; mkdir -p " + victim + "; ln -s / /data/root; ln -s " + up + " /data/escape;"
            + " ln -s " + victim + "/secret /data/secretlink; sleep 60").ok();

    lamina.run("cp", host.resolve("a").toString(), "box:/data/escape/planted").ok();
    lamina.run("cp", host.resolve("a").toString(), "box:/data/root/tmp/").ok();
    lamina.run("cp", host.resolve("a").toString(), "box:/data/secretlink").ok();
    assertEquals(List.of("secret"), list(victim));
    assertEquals("host secret\n", Files.readString(victim.resolve("secret")));
    assertEquals("a\n", exec("cat " + victim + "/planted"), "inside the root, at the same path");
    assertEquals("a\n", exec("cat /tmp/a"));
    assertEquals("a\n", exec("cat /data/secretlink"), "the link replaced, not written through");

    Path out = tmp.resolve("out");
    Files.createDirectories(out);
    Cli.Result read = lamina.run("cp", "-L", "box:/data/escape/secret", out.toString());
    assertEquals(125, read.code(), "no such file inside the root");
    assertFalse(Files.exists(out.resolve("secret"), LinkOption.NOFOLLOW_LINKS));
  }

  private static List<String> list(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
