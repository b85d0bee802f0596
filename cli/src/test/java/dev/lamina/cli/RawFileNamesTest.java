package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.RawNames;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names are bytes end to end, as in Linux, tar and Go: names that are not UTF-8 (an invalid
 * byte, Latin-1, two names one byte apart) and UTF-8 names go from a build context, a directory or
 * a tar, through layers and their extraction, into a container, and out through export and save,
 * each byte kept. Fixtures are made and read by the shell, never through Java's path charset.
 */
class RawFileNamesTest {
  @TempDir Path tmp;
  private Cli lamina;
  private Path rootfs;

  @BeforeEach
  void store() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Requirements.tool("tar");
    lamina = new Cli(tmp.resolve("store"));
    rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    lamina.run("import", rootfs.toString(), "busybox").ok();
  }

  @AfterEach
  void noMountLeft() throws Exception {
    List<Path> left = MountTable.mountPointsUnder(tmp);
    OverlayMount.unmountAllUnder(tmp);
    assertEquals(List.of(), left);
  }

  @Test
  void buildContext_throughCopyRunContainerDiffExportCpSave_keepsEveryByte() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx/files"));
    RawNames.create(ctx);
    Files.writeString(ctx.resolveSibling("Dockerfile"),
        "FROM busybox\nCOPY files /ctx\nRUN cp -a /ctx /fromrun && cp -a /ctx /gone\n"
            + "RUN rm \"/gone/a$(printf '\\377')\"\n");
    lamina.run("build", "-q", "-t", "raw", ctx.getParent().toString()).ok();

    // What the container sees: COPY's layer and RUN's layer, extracted and mounted.
    assertEquals(RawNames.expected(), copiedOut("raw", "/ctx"));
    assertEquals(RawNames.expected(), copiedOut("raw", "/fromrun"));
    // A later layer's whiteout hides that one name, not its neighbour one byte apart.
    TreeMap<String, String> left = RawNames.expected();
    left.remove(RawNames.hex(RawNames.A_FF));
    assertEquals(left, copiedOut("raw", "/gone"));
    String found = lamina.run("run", "--rm", "raw", "find", "/ctx").ok().out();
    assertTrue(found.contains("/ctx/café\n"), found);
    assertTrue(found.contains("/ctx/d日本語\n"), found);

    // diff lists two names one invalid byte apart as two, and prints UTF-8 names as they are.
    lamina.run("run", "--name", "renamer", "raw", "sh", "-c",
        "printf 1 > \"/ctx/n$(printf '\\377')\"; printf 2 > \"/ctx/n$(printf '\\376')\";"
            + " printf 3 > /ctx/été").ok();
    List<String> diff = lamina.run("diff", "renamer").ok().lines();
    assertEquals(2, diff.stream().filter(l -> l.startsWith("A /ctx/n")).count(), diff.toString());
    assertTrue(diff.contains("A /ctx/été"), diff.toString());

    Path exported = Files.createDirectory(tmp.resolve("exported"));
    Path tar = tmp.resolve("renamer.tar");
    lamina.run("export", "-o", tar.toString(), "renamer").ok();
    RawNames.sh("tar -C \"$1\" -xf \"$2\"", exported.toString(), tar.toString());
    TreeMap<String, String> expected = RawNames.expected();
    expected.put(RawNames.hex("n\\377"), "1");
    expected.put(RawNames.hex("n\\376"), "2");
    expected.put(RawNames.hex("\\303\\251t\\303\\251"), "3");
    assertEquals(expected, RawNames.list(exported.resolve("ctx")));
    Path copied = Files.createDirectory(tmp.resolve("copied"));
    lamina.run("cp", "renamer:/ctx", copied.toString()).ok();
    assertEquals(expected, RawNames.list(copied.resolve("ctx")));

    // save, then load into another store: the image's layers carry the same bytes.
    Path saved = tmp.resolve("raw.tar");
    lamina.run("save", "-o", saved.toString(), "raw").ok();
    Cli other = new Cli(tmp.resolve("store2"));
    other.run("load", "-i", saved.toString()).ok();
    assertEquals(RawNames.expected(), copiedOut(other, "raw", "/ctx"));
  }

  @Test
  void importDirectoryAndTar_keepEveryByte() throws Exception {
    Path dir = tmp.resolve("withnames");
    RawNames.sh("cp -a \"$1\" \"$2\" && mkdir \"$2/ctx\"", rootfs.toString(), dir.toString());
    RawNames.create(dir.resolve("ctx"));
    lamina.run("import", dir.toString(), "fromdir").ok();
    assertEquals(RawNames.expected(), copiedOut("fromdir", "/ctx"));

    Path tar = tmp.resolve("withnames.tar");
    RawNames.sh("tar -C \"$1\" -cf \"$2\" .", dir.toString(), tar.toString());
    lamina.run("import", tar.toString(), "fromtar").ok();
    assertEquals(RawNames.expected(), copiedOut("fromtar", "/ctx"));
  }

  /**
   * A path argument that is not UTF-8 names that very directory, though the JVM decodes arguments
   * with a charset that cannot hold it: the CLI runs as a process of its own, as bin/lamina runs
   * it, given the argument's bytes by the shell.
   */
  @Test
  void pathArgumentThatIsNotUtf8_namesItsDirectory() throws Exception {
    Path dir = tmp.resolve("latin");
    RawNames.sh("cp -a \"$1\" \"$2\" && mkdir \"$2/ctx\"", rootfs.toString(), dir.toString());
    RawNames.create(dir.resolve("ctx"));
    RawNames.sh("mv \"$1\" \"$1$(printf '\\351')\"", dir.toString());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    RawNames.sh("\"$1\" -cp \"$2\" dev.lamina.cli.Main --root \"$3\" import \"$4$(printf '\\351')\""
            + " latin >/dev/null",
        java.toString(), System.getProperty("java.class.path"), tmp.resolve("store").toString(),
        dir.toString());
    assertEquals(RawNames.expected(), copiedOut("latin", "/ctx"));
  }

  private Map<String, String> copiedOut(String image, String dir) throws Exception {
    return copiedOut(lamina, image, dir);
  }

  /** The tree {@code dir} of a container of {@code image}, copied out by busybox's own cp. */
  private Map<String, String> copiedOut(Cli cli, String image, String dir) throws Exception {
    Path out = Files.createTempDirectory(tmp, "out");
    cli.run("run", "--rm", "-v", out + ":/out", image, "cp", "-a", dir + "/.", "/out/").ok();
    return RawNames.list(out);
  }
}
