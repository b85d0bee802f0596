package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.registry.RegistryServer;
import dev.lamina.layerfs.testing.Requirements;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives through pipes, as {@code docker save | docker load} and {@code docker export | docker
 * import -}: each command runs as its own process with its stdin or stdout on a file, the way a
 * shell redirects them.
 */
class StreamsTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws java.io.IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  /** {@code lamina --root ROOT ARGS} with stdin from {@code in} and stdout to {@code out}. */
  private static NamesAndPullsTest.Run lamina(Path root, File in, File out, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1",
        Main.class.getName(), "--root", root.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectInput(in == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
        : ProcessBuilder.Redirect.from(in));
    File outFile = out != null ? out : Files.createTempFile(root.getParent(), "out", "").toFile();
    pb.redirectOutput(outFile);
    File errFile = Files.createTempFile(root.getParent(), "err", "").toFile();
    pb.redirectError(errFile);
    Process p = pb.start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    return new NamesAndPullsTest.Run(p.exitValue(),
        out != null ? "" : Files.readString(outFile.toPath(), StandardCharsets.UTF_8),
        Files.readString(errFile.toPath(), StandardCharsets.UTF_8));
  }

  private Path image(Path root, String name) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("rootfs"));
    Files.writeString(dir.resolve("hello.txt"), "hello\n");
    new Cli(root).run("import", dir.toString(), name).ok();
    return dir;
  }

  @Test
  void save_toStdout_isTheArchive_andLoad_readsStdin() throws Exception {
    Path a = tmp.resolve("a");
    image(a, "hello");
    File piped = tmp.resolve("piped.tar").toFile();
    lamina(a, null, piped, "save", "hello").ok();
    File dash = tmp.resolve("dash.tar").toFile();
    lamina(a, null, dash, "save", "-o", "-", "hello").ok();
    new Cli(a).run("save", "-o", tmp.resolve("file.tar").toString(), "hello").ok();
    byte[] file = Files.readAllBytes(tmp.resolve("file.tar"));
    assertArrayEquals(file, Files.readAllBytes(piped.toPath()), "the same bytes as -o FILE");
    assertArrayEquals(file, Files.readAllBytes(dash.toPath()));

    Path b = tmp.resolve("b");
    NamesAndPullsTest.Run load = lamina(b, piped, null, "load").ok();
    assertEquals("Loaded image: localhost/hello:latest\n", load.out());
    File oci = tmp.resolve("oci.tar").toFile();
    lamina(a, null, oci, "save", "--format", "oci-archive", "hello").ok();
    Path c = tmp.resolve("c");
    assertEquals("Loaded image: localhost/hello:latest\n",
        lamina(c, oci, null, "load", "-i", "-").ok().out());
    try (var left = Files.list(c.resolve("tmp"))) {
      assertEquals(List.of(), left.toList(), "the copy of stdin is gone");
    }

    NamesAndPullsTest.Run empty = lamina(tmp.resolve("d"), null, null, "load");
    assertEquals("lamina: nothing to load: stdin is empty\n", empty.err());
  }

  @Test
  void importDash_andExportToStdout_roundTrip() throws Exception {
    Requirements.root();
    Path a = tmp.resolve("a");
    image(a, "hello");
    Cli cli = new Cli(a);
    cli.run("create", "--name", "c1", "hello", "true").ok();
    File tar = tmp.resolve("export.tar").toFile();
    lamina(a, null, tar, "export", "c1").ok();
    assertTrue(tar.length() > 0);
    lamina(a, tar, null, "import", "-", "again").ok();
    String files = new String(new ProcessBuilder("tar", "-tf", tar.toString()).start()
        .getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(files.contains("hello.txt"), files);
    assertTrue(cli.run("images").ok().out().contains("localhost/again"));
  }

  @Test
  void push_withOneArgument_goesToTheRegistryInTheName() throws Exception {
    Path a = tmp.resolve("a");
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"))) {
      String name = registry.address() + "/team/hello:1";
      image(a, name);
      Cli cli = new Cli(a);
      cli.run("push", "-q", name).ok();
      Cli b = new Cli(tmp.resolve("b"));
      b.run("pull", "-q", name).ok();
      assertTrue(b.run("images").ok().out().contains(registry.address() + "/team/hello"));

      cli.run("tag", name, "local").ok();
      Cli.Result local = cli.run("push", "local");
      assertEquals(ExitCodes.USAGE, local.code(), local.toString());
      assertEquals("lamina: give a DESTINATION: localhost/local:latest is a local name"
          + " (localhost/), it names no registry\n", local.err());
    }
  }
}
