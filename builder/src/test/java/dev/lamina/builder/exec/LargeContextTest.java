package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A context of many files streams into its layer without losing anything: the layer of {@code
 * COPY tree /data} is GNU tar's {@code --sort=name} tar of the same tree, entry for entry, and a
 * cached rebuild notices one file changed deep in the tree even when its size and modification
 * time stayed the same (its change time tells, as BuildKit's fsutil compares it).
 */
class LargeContextTest {
  private static final int FILES = 20_000;

  @TempDir Path tmp;

  /** node_modules-like: packages of modules of files, with names that sort around '/'. */
  private static Path makeContext(Path ctx) throws IOException {
    Random random = new Random(14);
    byte[] pool = new byte[64 * 1024];
    random.nextBytes(pool);
    Path tree = ctx.resolve("tree");
    int made = 0;
    for (int d = 0; made < FILES; d++) {
      Path pkg = tree.resolve(String.format("pkg%02d", d % 20));
      Path mod = Files.createDirectories(pkg.resolve(String.format("mod%03d", d)));
      Files.write(pkg.resolve(String.format("mod%03d.json", d)), new byte[] {'{', '}'});
      Files.write(pkg.resolve(String.format("mod%03d-lock", d)), new byte[0]);
      made += 2;
      for (int i = 0; i < 200 && made < FILES; i++, made++) {
        int size = random.nextInt(2000);
        int off = random.nextInt(pool.length - size);
        Files.write(mod.resolve(i % 10 == 0 ? "f" + i + " x.js" : "f" + i + ".js"),
            java.util.Arrays.copyOfRange(pool, off, off + size));
      }
      if (d % 20 == 0) {
        Files.createSymbolicLink(mod.resolve("link.js"), Path.of("f1.js"));
        Files.createLink(mod.resolve("hard.js"), mod.resolve("f2.js"));
      }
    }
    Files.writeString(ctx.resolve("Containerfile"), "FROM scratch\nCOPY tree /data\n");
    return tree;
  }

  /** Each entry of a tar as a line: name, type, mode, owner, size, time, link, content digest. */
  private static List<String> entries(InputStream tar) throws IOException {
    List<String> out = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.add(e.getName() + " " + (char) e.getLinkFlag() + " "
            + Integer.toOctalString(e.getMode()) + " " + e.getLongUserId() + ":"
            + e.getLongGroupId() + " " + e.getSize() + " " + e.getModTime().getTime() / 1000
            + " " + e.getLinkName() + " " + Digest.sha256(in.readAllBytes()).shortHex());
      }
    }
    return out;
  }

  private static List<String> layerEntries(Store store) throws IOException {
    ImageDetails d = store.images().inspect("test");
    Descriptor layer = d.manifest().layers().get(0);
    return entries(store.blobs().open(layer.digest(), layer.size()));
  }

  private static BuildResult build(Store store, Path ctx) throws Exception {
    String recipe = Files.readString(ctx.resolve("Containerfile"));
    return Builder.build(store, BuildOptions.builder(ctx).recipeText(recipe).tag("test").build(),
        Progress.quiet());
  }

  private static void assertSameEntries(List<String> expected, List<String> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      assertEquals(expected.get(i), actual.get(i), "entry " + i);
    }
    assertEquals(expected.size(), actual.size(), "number of entries");
  }

  @Test
  void copyOfManyFiles_isTarSortName_andCachedRebuildSeesOneDeepChange() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Path tree = makeContext(ctx);
    Path reference = tmp.resolve("reference.tar");
    Process tar = new ProcessBuilder("tar", "--sort=name", "--numeric-owner", "--owner=0",
        "--group=0", "--transform", "s#^tree#data#", "-C", ctx.toString(), "-cf",
        reference.toString(), "tree").inheritIO().start();
    assertEquals(0, tar.waitFor());
    // Files changed within the memo's racy window are hashed again every time; these are not.
    Thread.sleep(2_500);
    Store store = Store.open(tmp.resolve("store"));

    BuildResult first = build(store, ctx);
    try (InputStream in = Files.newInputStream(reference)) {
      assertSameEntries(entries(in), layerEntries(store));
    }

    assertEquals(1, build(store, ctx).cachedSteps(), "nothing changed");

    // One byte flipped deep in the tree, size and modification time kept.
    Path deep = tree.resolve("pkg07/mod087/f151.js");
    byte[] bytes = Files.readAllBytes(deep);
    FileTime mtime = Files.getLastModifiedTime(deep);
    bytes[bytes.length / 2] ^= 1;
    Files.write(deep, bytes);
    Files.setLastModifiedTime(deep, mtime);
    BuildResult changed = build(store, ctx);

    assertEquals(0, changed.cachedSteps(), "the changed file was noticed");
    assertNotEquals(first.config().diffIds(), changed.config().diffIds());
    String line = layerEntries(store).stream()
        .filter(l -> l.startsWith("data/pkg07/mod087/f151.js ")).findFirst().orElseThrow();
    assertEquals(Digest.sha256(bytes).shortHex(), line.substring(line.lastIndexOf(' ') + 1));
    assertEquals(1, build(store, ctx).cachedSteps(), "and remembered");
  }
}
