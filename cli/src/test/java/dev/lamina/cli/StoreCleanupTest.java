package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of("--root", root.toString(), "build", "-t", "killed", ctx.toString()));
    Process build =
        new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      while (build.isAlive() && rootfsMounts().isEmpty()) {
        Thread.sleep(5);
      }
      assertTrue(build.isAlive(), "the build ended before it could be killed");
    } finally {
      build.destroyForcibly().waitFor(); // SIGKILL
    }
    assertEquals(1, rootfsMounts().size());

    lamina.run("images").ok();

    assertEquals(List.of(), MountTable.mountPointsUnder(root.resolve("cache/work")));
    assertEquals(List.of(), workspaces());
  }
}
