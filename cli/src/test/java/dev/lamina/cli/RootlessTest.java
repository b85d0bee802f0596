package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.registry.RegistryServer;
import dev.lamina.layerfs.testing.Loopback;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a real unprivileged user, created by the test with subordinate ranges: builds with
 * RUN and chown, containers and their owners, volumes, exec, published ports, the store's owners
 * and image ids compared with root's, and the errors a user can act on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RootlessTest {
  private static final String EPOCH = "1700000000";
  private static final String RECIPE =
      "FROM scratch\n"
          + "ADD rootfs.tar /\n"
          + "RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd"
          + " && mkdir -p /home/app/gone && touch /home/app/gone/f /home/app/owned"
          + " && chown -R 1000:1000 /home/app && rm /bin/vi\n"
          + "RUN rm -rf /home/app/gone && mkdir /home/app/gone && echo new > /home/app/gone/n\n"
          + "USER app\n";

  static RootlessUsers users;
  static RootlessUsers.User user;
  static Path context;
  static String builtAsUser;

  @TempDir static Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    users = RootlessUsers.open();
    user = users.add("lamina-rl-user", true);
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    context = Files.createDirectories(users.base().resolve("context"));
    RootlessUsers.run(List.of("tar", "--numeric-owner", "-C", rootfs.toString(), "-cf",
        context.resolve("rootfs.tar").toString(), "."));
    Files.writeString(context.resolve("Containerfile"), RECIPE);
    RootlessUsers.run(List.of("chmod", "-R", "a+rX", context.toString()));
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (users != null) {
      users.close();
    }
  }

  private static Cli.Result ok(Cli.Result r) {
    return r.ok();
  }

  @Test
  @Order(1)
  void build_withRunAndChown_sameIdAsRoot_ownersInside_noHostRootFileInTheStore()
      throws Exception {
    String asUser = ok(user.lamina(Map.of("SOURCE_DATE_EPOCH", EPOCH), "build", "-q",
        "--network", "none", "-t", "app", context.toString())).out().strip();

    Cli root = new Cli(tmp.resolve("root-store"));
    String asRoot;
    try {
      asRoot = root.run("build", "-q", "--network", "none", "--build-arg",
          "SOURCE_DATE_EPOCH=" + EPOCH, "-t", "app", context.toString()).ok().out().strip();
    } finally {
      OverlayMount.unmountAllUnder(tmp);
    }
    assertEquals(asRoot, asUser, "the same recipe gives the same image as root and as a user");
    builtAsUser = asUser;

    Cli.Result inside = ok(user.lamina("run", "--rm", "--network", "none", "app", "sh", "-c",
        "id -u; stat -c '%u:%g' /home/app/owned /home/app/gone/n; ls /home/app/gone;"
            + " test -e /bin/vi || echo no-vi"));
    assertEquals(List.of("1000", "1000:1000", "0:0", "n", "no-vi"), inside.lines());

    // Container ids land on the user's ranges on the host, never on the host's root.
    assertEquals(List.of(), RootlessUsers.ownedByHostRoot(user.store()));
    Path layers = user.store().resolve("layers");
    long mapped1000 = user.rangeStart + 999;
    try (var walk = Files.walk(layers)) {
      assertTrue(walk.anyMatch(p -> {
        try {
          return Posix.lstat(p).uid() == mapped1000;
        } catch (IOException e) {
          return false;
        }
      }), "container uid 1000 is host uid " + mapped1000);
    }
  }

  /**
   * push and pull as a user through a real registry: the pulled image is the one built, its
   * layers land on the user's ranges in a second store of the user's, and it runs with its owners.
   */
  @Test
  @Order(2)
  void pushAndPull_asAUser_throughARegistry() throws Exception {
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"))) {
      String ref = registry.address() + "/rootless/app:1";
      ok(user.lamina("push", "-q", "app", "docker://" + ref));
      Path other = user.home.resolve("other-store");
      String pulled = ok(user.lamina("--root", other.toString(), "pull", "-q", ref)).out().strip();
      assertEquals(builtAsUser, pulled, "the image pulled is the image pushed");
      assertEquals(List.of("1000", "1000:1000"),
          ok(user.lamina("--root", other.toString(), "run", "--rm", "--network", "none", ref,
              "sh", "-c", "id -u; stat -c '%u:%g' /home/app/owned")).lines());
      assertEquals(List.of(), RootlessUsers.ownedByHostRoot(other));
    }
  }

  @Test
  @Order(2)
  void detached_withVolume_exec_logs_stop_rm_volumeSurvives() throws Exception {
    String id = ok(user.lamina("run", "-d", "--name", "keeper", "--network", "none", "-v",
        "data:/data", "-u", "0", "app", "sh", "-c",
        "echo started; echo kept > /data/k; chown 1000 /data/k; exec sleep 600"))
        .out().strip();
    assertEquals(64, id.length(), id);
    assertTrue(ok(user.lamina("ps")).out().contains("keeper"));
    Cli.Result exec = ok(user.lamina("exec", "keeper", "sh", "-c",
        "cat /data/k; stat -c %u /data/k; id -u"));
    assertEquals(List.of("kept", "1000", "0"), exec.lines());
    assertEquals("started\n", ok(user.lamina("logs", "keeper")).out());
    // top: its processes (found by the container's PID namespace where it has no cgroup).
    List<String> top = ok(user.lamina("top", "keeper", "-o", "pid,comm")).lines();
    assertEquals(2, top.size(), top.toString());
    assertTrue(top.get(0).contains("PID") && top.get(1).endsWith("sleep"), top.toString());
    // stats read the cgroup: where there is none, refused in one line rather than all zeros.
    Cli.Result stats = user.lamina("stats", "--no-stream", "keeper");
    if (stats.code() != 0) {
      assertEquals(1, stats.err().strip().lines().count(), stats.err());
      assertTrue(stats.err().contains("cgroup v2"), stats.err());
      assertEquals(stats.err(), user.lamina("stats", "--no-stream").err(), "all of them too");
    } else {
      assertTrue(!stats.out().contains(" 0B / "), stats.out());
    }
    // Without a cgroup freezer a running container cannot be paused to copy safely: refused.
    Path local = Files.writeString(users.base().resolve("shared-in"), "in\n");
    RootlessUsers.run(List.of("chmod", "a+r", local.toString()));
    Cli.Result running = user.lamina("cp", local.toString(), "keeper:/copied");
    if (running.code() != 0) {
      assertTrue(running.err().contains("stop it first"), running.err());
    }
    ok(user.lamina("stop", "-t", "1", "keeper"));
    // cp in: owned by the container's root; cp out: owned by the user on the host.
    ok(user.lamina("cp", local.toString(), "keeper:/copied"));
    Path out = user.home.resolve("k-out");
    ok(user.lamina("cp", "keeper:/copied", out.toString()));
    assertEquals("in\n", Files.readString(out));
    assertEquals(user.uid, Posix.lstat(out).uid(), "the user owns what it copies out");
    ok(user.lamina("commit", "keeper", "committed"));
    assertEquals("0 in\n", ok(user.lamina("run", "--rm", "--network", "none", "committed",
        "sh", "-c", "echo $(stat -c %u /copied) $(cat /copied)")).out());
    ok(user.lamina("rm", "keeper"));
    assertEquals("kept\n", ok(user.lamina("run", "--rm", "--network", "none", "-v", "data:/data",
        "app", "cat", "/data/k")).out());
    assertEquals(List.of(), RootlessUsers.ownedByHostRoot(user.store()));
  }

  /**
   * A build's cache and secret mounts work as a user, and an image saved to a file, removed and
   * loaded again is the same image; prune removes what nothing uses, as root's does.
   */
  @Test
  @Order(2)
  void buildMounts_cacheAndSecret_saveLoad_prune() throws Exception {
    Path ctx = Files.createDirectories(users.base().resolve("mounts-context"));
    Files.writeString(ctx.resolve("Containerfile"), "FROM app\nUSER 0\n"
        + "RUN --mount=type=cache,target=/cache,uid=1000 stat -c %u /cache > /cache-owner"
        + " && echo $(($(cat /cache/n 2>/dev/null || echo 0) + 1)) > /cache/n"
        + " && cp /cache/n /runs\n"
        + "RUN --mount=type=secret,id=token,required=true cp /run/secrets/token /seen"
        + " && stat -c %u /run/secrets/token >> /seen\n");
    Path secret = Files.writeString(users.base().resolve("token"), "s3cret\n");
    RootlessUsers.run(List.of("chmod", "-R", "a+rX", ctx.toString()));
    RootlessUsers.run(List.of("chmod", "a+r", secret.toString()));
    ok(user.lamina("build", "-q", "--network", "none", "--secret",
        "id=token,src=" + secret, "-t", "mounts", ctx.toString()));
    // --no-cache runs the steps again; the cache mount keeps what the first run left.
    String id = ok(user.lamina("build", "-q", "--no-cache", "--network", "none", "--secret",
        "id=token,src=" + secret, "-t", "mounts", ctx.toString())).out().strip();
    assertEquals(List.of("1000", "2", "s3cret", "0"), ok(user.lamina("run", "--rm", "--network",
        "none", "mounts", "sh", "-c", "cat /cache-owner /runs /seen")).lines());
    assertEquals(List.of(), ok(user.lamina("history", "--no-trunc", "--format",
        "{{.CreatedBy}}", "mounts")).lines().stream().filter(l -> l.contains("s3cret")).toList(),
        "the secret is in no layer's history");

    Path saved = user.home.resolve("mounts.tar");
    ok(user.lamina("save", "-o", saved.toString(), "mounts"));
    ok(user.lamina("rmi", "mounts"));
    Cli.Result loaded = ok(user.lamina("load", "-i", saved.toString()));
    assertTrue(loaded.out().contains("mounts"), loaded.out());
    assertEquals(id, ok(user.lamina("inspect", "--type", "image", "--format", "{{.Id}}",
        "mounts")).out().strip(), "the image loaded is the image saved");

    ok(user.lamina("rmi", "mounts"));
    Cli.Result pruned = ok(user.lamina("system", "prune", "-f"));
    assertTrue(pruned.out().contains("reclaimed"), pruned.out());
    assertEquals(0, user.lamina("inspect", "--type", "image", "app").code(),
        "a tagged image stays");
    assertEquals(List.of(), RootlessUsers.ownedByHostRoot(user.store()));
  }

  @Test
  @Order(3)
  void publishedPort_reachedFromTheHost() throws Exception {
    Path www = Files.createDirectories(users.base().resolve("www"));
    Files.writeString(www.resolve("index.html"), "served as a user\n");
    RootlessUsers.run(List.of("chmod", "-R", "a+rX", www.toString()));
    int port = Loopback.freePort();
    ok(user.lamina("run", "-d", "--name", "web", "-p", "127.0.0.1:" + port + ":8080", "-v",
        www + ":/www:ro", "app", "httpd", "-f", "-p", "8080", "-h", "/www"));
    try {
      assertTrue(Loopback.httpGet(port).endsWith("\r\n\r\nserved as a user\n"));
      assertTrue(ok(user.lamina("ps")).out().contains("127.0.0.1:" + port + "->8080/tcp"));
      // Another container joins its namespace (pasta's), and reaches the server on loopback.
      Cli.Result side = ok(user.lamina("run", "--rm", "--network", "container:web", "app", "sh",
          "-c", "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 127.0.0.1 8080"));
      assertTrue(side.out().contains("served as a user"), side.out());
    } finally {
      ok(user.lamina("rm", "-f", "web"));
    }
  }

  @Test
  @Order(4)
  void unshare_andSystemCheck() throws Exception {
    Cli.Result map = ok(user.lamina("unshare", "cat", "/proc/self/uid_map"));
    List<String> lines = map.lines().stream().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
    assertEquals(List.of("0 " + user.uid + " 1", "1 " + user.rangeStart + " 65536"), lines);
    assertEquals(0, user.lamina("system", "check").code());
    assertEquals("true pasta\n", ok(user.lamina("system", "info", "--format",
        "{{.Rootless}} {{.Networks.Default}}")).out());
    // A terminal: run -t, and exec -t into a running container.
    Requirements.tool("script");
    Cli.Result tty = ok(user.laminaOnTerminal("run", "--rm", "-t", "--network", "none", "app",
        "sh", "-c", "tty; id -u"));
    assertTrue(tty.out().replace("\r", "").contains("/dev/pts/0\n1000\n"), tty.out());
    // Entering the namespace keeps the working directory: relative paths still resolve.
    assertEquals(user.home + "\n", ok(user.lamina("unshare", "pwd")).out());
  }

  /**
   * Where kernel overlayfs cannot be mounted in the user namespace (simulated by forcing the
   * tier), fuse-overlayfs stands in, and failing that a flattened copy: the same recipe still
   * gives the same files, deletions and opaque directories included.
   */
  @Test
  @Order(5)
  void overlayFallbacks_fuseOverlayfsThenCopy_sameFiles() throws Exception {
    Requirements.tool("fuse-overlayfs");
    Cli.Result fuse = ok(user.lamina(Map.of("SOURCE_DATE_EPOCH", EPOCH, "LAMINA_OVERLAY",
        "fuse-overlayfs"), "build", "-q", "--no-cache", "--network", "none", "-t", "app-fuse",
        context.toString()));
    assertTrue(fuse.err().contains("using fuse-overlayfs"), fuse.err());
    // The same files, owners, deletions and opaque directories. (Not the same bytes: where a
    // step changes a file, fuse-overlayfs gives its copied-up directory the time of the change,
    // which kernel overlayfs restores, and it marks every new directory opaque.)
    assertEquals(List.of("1000", "1000:1000", "0:0", "n", "no-vi"),
        ok(user.lamina("run", "--rm", "--network", "none", "app-fuse", "sh", "-c",
            "id -u; stat -c '%u:%g' /home/app/owned /home/app/gone/n; ls /home/app/gone;"
                + " test -e /bin/vi || echo no-vi")).lines());
    Cli.Result copy = ok(user.lamina(Map.of("SOURCE_DATE_EPOCH", EPOCH, "LAMINA_OVERLAY",
        "copy"), "build", "-q", "--no-cache", "--network", "none", "-t", "app-copy",
        context.toString()));
    assertTrue(copy.err().contains("using a flattened copy"), copy.err());
    // A flattened copy gives the same layers as kernel overlayfs: the same image as root's.
    assertEquals(builtAsUser, copy.out().strip());
    assertEquals(List.of("1000", "1000:1000", "0:0", "n", "no-vi"),
        ok(user.lamina("run", "--rm", "--network", "none", "app-copy", "sh", "-c",
            "id -u; stat -c '%u:%g' /home/app/owned /home/app/gone/n; ls /home/app/gone;"
                + " test -e /bin/vi || echo no-vi")).lines());
    Cli.Result run = ok(user.lamina(Map.of("LAMINA_OVERLAY", "fuse-overlayfs"), "run", "--rm",
        "--network", "none", "-u", "0", "app", "sh", "-c",
        "ls /home/app/gone; rm -r /home/app/gone"));
    assertEquals("n\n", run.out());
  }

  @Test
  @Order(6)
  void bridgeNetworks_refusedInOneLine() throws Exception {
    Cli.Result r = user.lamina("run", "--rm", "--network", "bridge", "app", "true");
    assertEquals(ExitCodes.ERROR, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("not available to an unprivileged user"), r.err());
  }

  @Test
  @Order(6)
  void limitsWithoutDelegation_refusedInOneLine() throws Exception {
    Cli.Result r = user.lamina("run", "--rm", "--network", "none", "--pids-limit", "10", "app",
        "true");
    if (r.code() == 0) {
      return; // cgroup v2 is delegated to users on this host
    }
    assertEquals(ExitCodes.ERROR, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--pids-limit") && r.err().contains("cgroup v2"), r.err());
  }

  @Test
  @Order(7)
  void noNewuidmap_namesThePackage() throws Exception {
    RootlessUsers.User other = users.add("lamina-rl-nomap", true);
    Path bin = Files.createDirectories(users.base().resolve("bin-without-uidmap"));
    for (String tool : List.of("nsenter", "unshare", "setsid", "catatonit", "sleep", "runc")) {
      for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
        if (Files.isExecutable(Path.of(dir, tool)) && !Files.exists(bin.resolve(tool))) {
          Files.createSymbolicLink(bin.resolve(tool), Path.of(dir, tool));
        }
      }
    }
    Cli.Result r = other.lamina(Map.of("PATH", bin.toString()), "images");
    assertEquals(ExitCodes.ERROR, r.code(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("newuidmap") && r.err().contains("apt-get install uidmap"),
        r.err());
  }

  @Test
  @Order(8)
  void noRanges_singleIdMappingWithANote_andAnotherUsersStoreRefused() throws Exception {
    RootlessUsers.User other = users.add("lamina-rl-noranges", false);
    Cli.Result r = other.lamina("unshare", "cat", "/proc/self/uid_map");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("0 " + other.uid + " 1"),
        r.lines().stream().map(l -> l.strip().replaceAll("\\s+", " ")).toList());
    assertTrue(r.err().contains("/etc/subuid") && r.err().contains("only your own uid"),
        r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());

    // An image with a file of another owner cannot be unpacked by this user: said so, with
    // where subordinate ids are given (EINVAL from lchown alone said nothing).
    Path owned = Files.createDirectories(tmp.resolve("owned-tree"));
    Files.writeString(owned.resolve("file"), "x");
    RootlessUsers.run(List.of("chown", "1000:1000", owned.resolve("file").toString()));
    Cli root = new Cli(tmp.resolve("root-store-owned"));
    root.run("import", owned.toString(), "owned").ok();
    Path archive = users.base().resolve("owned.tar");
    root.run("save", "-o", archive.toString(), "owned").ok();
    RootlessUsers.run(List.of("chmod", "a+r", archive.toString()));
    other.lamina("load", "-i", archive.toString()).ok();
    Cli.Result unpack = other.lamina("create", "--network", "none", "owned", "/file");
    assertNotEquals(0, unpack.code(), unpack.toString());
    assertTrue(unpack.err().contains("/etc/subuid") && unpack.err().contains("1000:1000"),
        unpack.err());

    Cli.Result refused = other.lamina("--root", user.store().toString(), "images");
    assertEquals(ExitCodes.ERROR, refused.code());
    assertTrue(refused.err().contains("belongs to another user"), refused.err());
    assertFalse(Files.exists(other.store()) && !RootlessUsers.ownedByHostRoot(other.store())
        .isEmpty());
    assertNotEquals(0, other.uid);
  }
}
