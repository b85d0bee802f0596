package dev.lamina.layerfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsImportTest {
  @TempDir Path tmp;

  private Path rootfs(String name, long mtime) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("bin/tool"), "#!/bin/sh\necho hi\n");
    Files.createSymbolicLink(dir.resolve("bin/alias"), Path.of("tool"));
    Files.writeString(dir.resolve("etc-file"), "config");
    for (Path p : List.of(dir.resolve("bin/tool"), dir.resolve("etc-file"), dir.resolve("bin"))) {
      Files.setLastModifiedTime(p, FileTime.fromMillis(mtime));
    }
    return dir;
  }

  @Test
  void fromDirectory_sameTreeTwoStoresSameEpoch_sameImageDigest() throws IOException {
    Store a = Store.open(tmp.resolve("a"));
    Store b = Store.open(tmp.resolve("b"));
    // Both trees are newer than the epoch (as a checkout is), so every time is clamped to it.
    ResolvedImage ia = RootfsImport.into(a, "1700000000")
        .fromDirectory(rootfs("one", 1_800_000_000_000L), List.of("x"));
    ResolvedImage ib = RootfsImport.into(b, "1700000000")
        .fromDirectory(rootfs("two", 1_900_000_000_000L), List.of("x"));
    assertEquals(ia.digest(), ib.digest());
    assertEquals(ia.id(), ib.id());
    ImageDetails d = a.images().inspect("x");
    assertEquals("2023-11-14T22:13:20Z", d.config().created());
    assertEquals(1_700_000_000L, layerTimes(a, d).get("bin/tool"));
  }

  @Test
  void fromDirectory_withoutEpoch_keepsTheFilesTimes() throws IOException {
    Store a = Store.open(tmp.resolve("a"));
    RootfsImport.into(a, null).fromDirectory(rootfs("one", 1_000_000_000_000L), List.of("x"));
    RootfsImport.into(a, null).fromDirectory(rootfs("two", 1_000_000_005_000L), List.of("y"));
    ImageDetails x = a.images().inspect("x");
    ImageDetails y = a.images().inspect("y");
    assertEquals(1_000_000_000L, layerTimes(a, x).get("bin/tool"));
    assertEquals(1_000_000_000L, layerTimes(a, x).get("bin/"));
    assertEquals(1_000_000_005L, layerTimes(a, y).get("etc-file"));
    assertNotEquals(x.manifest().layers().get(0).digest(), y.manifest().layers().get(0).digest());
  }

  /** The modification time of each entry of the image's only layer, by name. */
  private static java.util.Map<String, Long> layerTimes(Store s, ImageDetails d)
      throws IOException {
    var layer = d.manifest().layers().get(0);
    java.util.Map<String, Long> times = new java.util.TreeMap<>();
    try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
        s.blobs().open(layer.digest(), layer.size()))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        times.put(e.getName(), e.getModTime().toInstant().getEpochSecond());
      }
    }
    return times;
  }

  @Test
  void fromTar_gzip_storesTheDecompressedTarAsTheLayer() throws Exception {
    Path tar = tmp.resolve("root.tar");
    Path src = rootfs("src", 1);
    Process p =
        new ProcessBuilder(
                Requirements.tool("tar").toString(), "-C", src.toString(), "-cf", tar.toString(), ".")
            .inheritIO()
            .start();
    assertEquals(0, p.waitFor());
    byte[] plain = Files.readAllBytes(tar);
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    Store s = Store.open(tmp.resolve("s"));
    ContainerConfig cmd = ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh")).build();
    RootfsImport.into(s, "0")
        .withConfig(cmd)
        .fromTar(new ByteArrayInputStream(gz.toByteArray()), List.of("t"));
    ImageDetails d = s.images().inspect("t");
    Digest layer = d.manifest().layers().get(0).digest();
    assertEquals(Digest.sha256(plain), layer);
    assertEquals(layer, d.config().diffIds().get(0));
    assertEquals(List.of("sh"), d.config().config().cmd());
    try (InputStream in = s.blobs().open(layer, plain.length)) {
      assertTrue(java.util.Arrays.equals(plain, in.readAllBytes()));
    }
  }
}
