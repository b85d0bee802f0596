package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.ChildJvm;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed or failed command leaves behind, and what the next command cleans up. */
class StoreCleanupTest {
  @TempDir Path tmp;
  private Path root;
  private Cli lamina;

  @BeforeEach
  void setUp() {
    Requirements.root(); // overlay mounts
    root = tmp.resolve("store");
    lamina = new Cli(root);
  }

  @AfterEach
  void unmountLeftovers() throws Exception {
    OverlayMount.unmountAllUnder(tmp);
  }

  private List<Path> workspaces() throws Exception {
    Path work = root.resolve("cache/work");
    if (!Files.isDirectory(work)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(work)) {
      return s.toList();
    }
  }

  /** Mounts a tmpfs of {@code megabytes} at {@code dir}. */
  private static void mountTmpfs(Path dir, int megabytes) throws Exception {
    Files.createDirectories(dir);
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs",
                dir.toString())
            .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
  }

  private static void unmount(Path dir) throws Exception {
    new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor();
  }

  /** Writes zeros to {@code file} until the file system is full. */
  private static void fill(Path file) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(4096);
      while (true) {
        zeros.clear();
        ch.write(zeros);
      }
    } catch (IOException full) {
      // as intended
    }
  }

  private static List<String> list(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void fullStore_rmiFreesSpace_andFailuresNameThePathAndLeaveNothing() throws Exception {
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    Path small = tmp.resolve("small");
    mountTmpfs(small, 16);
    try {
      Path store = small.resolve("store");
      Cli full = new Cli(store);
      full.run("import", rootfs.toString(), "bb").ok();
      full.run("tag", "bb", "bb2").ok();
      full.run("run", "--rm", "bb", "true").ok(); // extracts its layer
      Path ctx = Files.createDirectories(tmp.resolve("ctx"));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM bb\nCOPY f /f\n");
      Files.write(ctx.resolve("f"), new byte[64 * 1024]);
      fill(small.resolve("fill"));

      Cli.Result tag = full.run("tag", "bb", "bb3");
      assertEquals(125, tag.code(), tag.err());
      assertTrue(tag.err().contains(store + "/") && tag.err().contains("No space left"),
          tag.err());
      Cli.Result imported = full.run("import", rootfs.toString(), "bb4");
      assertTrue(imported.err().contains(store + "/") && imported.err().contains("No space"),
          imported.err());
      Cli.Result built = full.run("build", "-t", "bb5", ctx.toString());
      assertTrue(built.err().contains(store + "/") && built.err().contains("No space"),
          built.err());
      Cli.Result ran = full.run("run", "--rm", "bb", "true");
      assertEquals(125, ran.code(), ran.err());
      assertEquals(
          List.of(),
          // The lock and the index of names are the store's, not the container's.
          list(store.resolve("containers")).stream()
              .filter(n -> !n.equals(".lock") && !n.equals(".names")).toList(),
          "a failed create left files");
      assertEquals(1, full.run("ps", "-a").ok().lines().size());

      // The cleanup the user needs works: the last name takes the extracted layer with it.
      full.run("rmi", "bb2").ok();
      full.run("rmi", "bb").ok();
      assertEquals(
          List.of(),
          list(store.resolve("layers")).stream().filter(n -> !n.startsWith(".")).toList());
      assertEquals(List.of(), list(store.resolve("layers/.complete")));
      Files.delete(small.resolve("fill"));
      assertEquals(0, full.run("system", "check").code());
    } finally {
      unmount(small);
    }
  }

  @Test
  void containerDirectoryWithoutRecord_isReportedByCheck_andRepaired() throws Exception {
    lamina.run("system", "check").ok();
    // What a create killed before its record was written (or an older version) leaves.
    Path stray = Files.createDirectories(root.resolve("containers").resolve("a".repeat(64)));
    for (String sub : List.of("rootfs", "upper", "work")) {
      Files.createDirectory(stray.resolve(sub));
    }

    Cli.Result found = lamina.run("system", "check");
    assertEquals(ExitCodes.CHECK_FAILED, found.code(), found.out());
    assertTrue(found.out().contains("stray container: containers/" + "a".repeat(64)), found.out());
    lamina.run("system", "check", "--repair").ok();
    assertTrue(Files.notExists(stray));
    lamina.run("system", "check").ok();
  }

  @Test
  void createKilledBeforeItsDirectoryWasWhole_isClearedByTheNextCommand() throws Exception {
    Requirements.tool("runc");
    lamina.run("import", Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "bb").ok();
    lamina.run("create", "--name", "kept", "bb", "true").ok();
    // What a create killed (SIGKILL) while it made its directory leaves: the directory under its
    // temporary name, its record half-written.
    Path half = Files.createDirectories(root.resolve("containers/.new-" + "b".repeat(64)));
    for (String sub : List.of("upper", "work", "rootfs")) {
      Files.createDirectory(half.resolve(sub));
    }
    Files.writeString(half.resolve(".container.json.tmp-1"), "{\"id\":\"bbbb");

    assertEquals(List.of("kept"), lamina.run("ps", "-a", "--format", "{{.Names}}").ok().lines());
    assertTrue(Files.notExists(half), "left for ps: " + half);
    lamina.run("system", "check").ok();
    assertEquals(
        List.of("kept"), list(root.resolve("containers")).stream()
            .filter(n -> !n.startsWith(".")).map(n -> lamina.run("inspect", "-f", "{{.Name}}", n)
                .ok().out().strip()).toList());
  }

  @Test
  void rmKilledHalfWay_isFinishedByTheNextCommand_andCheckIsClean() throws Exception {
    Requirements.tool("runc");
    lamina.run("import", Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "bb").ok();
    lamina.run("create", "--name", "kept", "bb", "true").ok();
    String id = lamina.run("create", "--name", "gone", "bb", "true").ok().out().strip();
    // What an rm killed (SIGKILL) after it renamed the directory away and deleted part of it
    // leaves: the directory under its removal name without its record, the name's entry.
    Path removing = root.resolve("containers/.rm-" + id);
    Files.move(root.resolve("containers").resolve(id), removing);
    Files.delete(removing.resolve("container.json"));

    assertEquals(List.of("kept"), lamina.run("ps", "-a", "--format", "{{.Names}}").ok().lines());
    assertTrue(Files.notExists(removing), "left for ps: " + removing);
    assertTrue(Files.notExists(root.resolve("containers/.names/gone"),
        java.nio.file.LinkOption.NOFOLLOW_LINKS));
    lamina.run("system", "check").ok();
    lamina.run("create", "--name", "gone", "bb", "true").ok();
  }

  /**
   * The run-time network directory of a store since removed (on the host's tmpfs, where its
   * first container's network made it) goes with {@code system prune}; an idle store's stays.
   */
  @Test
  void systemPrune_removesTheRunTimeNetworkDirectoriesOfRemovedStores() throws Exception {
    dev.lamina.runner.network.NetworkDirectories d =
        dev.lamina.runner.network.NetworkDirectories.standard();
    Path gone = tmp.resolve("gone");
    Path idle = Files.createDirectories(tmp.resolve("idle/containers")).getParent();
    Path goneDir = Files.createDirectories(d.store(gone).resolve("netns")).getParent();
    Files.writeString(goneDir.resolve("store"), gone.toString());
    Path idleDir = Files.createDirectories(d.store(idle).resolve("netns")).getParent();
    Files.writeString(idleDir.resolve("store"), idle.toString());
    try {
      lamina.run("system", "prune").ok();
      assertTrue(Files.notExists(goneDir), "left: " + goneDir);
      assertTrue(Files.isDirectory(idleDir), "an idle store's directory was removed");
    } finally {
      dev.lamina.layerfs.store.Trees.deleteRecursively(goneDir);
      dev.lamina.layerfs.store.Trees.deleteRecursively(idleDir);
    }
  }

  /** Counts the container's own files (not the runtime's mounts). */
  private static final String COUNT = "find / -xdev | wc -l";

  @Test
  void pruneKilledWhileDeletingALayer_theNextRunGetsTheWholeLayer() throws Exception {
    Requirements.tool("runc");
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    // 10 directories of 500 files: deleting them takes long enough to be killed half-way.
    for (int d = 0; d < 10; d++) {
      Path dir = Files.createDirectories(rootfs.resolve("data/d" + d));
      for (int f = 0; f < 500; f++) {
        Files.writeString(dir.resolve("f" + f), "x");
      }
    }
    lamina.run("import", rootfs.toString(), "big").ok();
    String whole = lamina.run("run", "--rm", "big", "sh", "-c", COUNT).ok().out().strip();
    // A container keeps the layer through rmi; once it is gone, only prune removes the layer.
    lamina.run("create", "--name", "keeper", "big", "true").ok();
    lamina.run("rmi", "-f", "big").ok();
    lamina.run("rm", "keeper").ok();
    List<Path> layers;
    try (Stream<Path> s = Files.list(root.resolve("layers"))) {
      layers = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
    assertEquals(1, layers.size(), layers.toString());
    Path layer = layers.get(0);
    int links = (Integer) Files.getAttribute(layer, "unix:nlink");

    Process prune =
        ChildJvm.of(Main.class, "--root", root.toString(), "system", "prune")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      // Deletion has begun once the layer loses its name or one of its directories.
      while (prune.isAlive() && Files.exists(layer)
          && (Integer) Files.getAttribute(layer, "unix:nlink") == links) {
        Thread.sleep(1);
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      // renamed aside meanwhile
    } finally {
      prune.destroyForcibly().waitFor(); // SIGKILL
    }

    lamina.run("import", rootfs.toString(), "big").ok(); // the same layer again
    Cli.Result count = lamina.run("run", "--rm", "big", "sh", "-c", COUNT).ok();
    assertEquals(whole, count.out().strip(), "the container runs on a partial layer");
    Cli.Result check = lamina.run("system", "check");
    assertEquals(0, check.code(), check.out());
  }

  /** The mounted root filesystems of build steps (not the build's brief overlay probe). */
  private List<Path> rootfsMounts() throws Exception {
    return MountTable.mountPointsUnder(root.resolve("cache/work")).stream()
        .filter(p -> p.getParent().getFileName().toString().startsWith("rootfs-"))
        .toList();
  }

  @Test
  void buildKilledDuringCopy_itsMountIsRemovedByTheNextCommand() throws Exception {
    Path base = Files.createDirectories(tmp.resolve("base/etc"));
    Files.writeString(base.resolve("hostname"), "base");
    lamina.run("import", tmp.resolve("base").toString(), "base").ok();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    // A large sparse file: hashing it keeps the COPY, with its target mounted, busy for a while.
    try (RandomAccessFile big = new RandomAccessFile(ctx.resolve("big").toFile(), "rw")) {
      big.setLength(8L << 30);
    }
    Files.writeString(ctx.resolve("Dockerfile"), "FROM base\nCOPY big /big\n");
    Process build =
        ChildJvm.of(Main.class, "--root", root.toString(), "build", "-t", "killed", ctx.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      while (build.isAlive() && rootfsMounts().isEmpty()) {
        Thread.sleep(5);
      }
      assertTrue(build.isAlive(), "the build ended before it could be killed");
    } finally {
      build.destroyForcibly().waitFor(); // SIGKILL
    }
    assertEquals(1, rootfsMounts().size());

    lamina.run("ps", "-a").ok(); // reads only containers/, and still cleans up

    assertEquals(List.of(), MountTable.mountPointsUnder(root.resolve("cache/work")));
    assertEquals(List.of(), workspaces());
  }
}
