package dev.lamina.layerfs.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.store.BlobInfo;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.OciLayout;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.TestImages;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Transports, judged by skopeo and umoci. */
class TransportTest {
  @TempDir Path root;
  @TempDir Path work;

  private static ImageLocation loc(String text) {
    return ImageLocation.parse(text);
  }

  /** An image made by umoci alone (gzip layer), in its own layout at {@code dir:name}. */
  private Path umociImage(String name) throws Exception {
    Requirements.tool("umoci");
    Requirements.root();
    Path layout = work.resolve("umoci-layout");
    Path rootfs = Files.createDirectories(work.resolve("umoci-rootfs/etc"));
    Files.writeString(rootfs.resolve("greeting"), "from umoci\n");
    TestImages.run(work, "umoci", "init", "--layout", layout.toString());
    TestImages.run(work, "umoci", "new", "--image", layout + ":" + name);
    TestImages.run(
        work, "umoci", "insert", "--image", layout + ":" + name,
        rootfs.toString(), "/etc");
    TestImages.run(
        work, "umoci", "config", "--image", layout + ":" + name, "--config.cmd", "/bin/true");
    return layout;
  }

  @Test
  void loadOciDir_writtenByUmoci_keepsManifestDigest_andSavesBack() throws Exception {
    Path layout = umociImage("localhost/greet:1");
    Descriptor original = OciLayout.open(layout).find("localhost/greet:1").orElseThrow();
    Store store = Store.open(root);
    List<Images.ResolvedImage> loaded =
        ImageTransports.load(store, loc("oci:" + layout + ":localhost/greet:1"), List.of());
    assertEquals(1, loaded.size());
    assertEquals(original.digest(), loaded.get(0).digest());
    assertEquals(List.of("localhost/greet:1"), loaded.get(0).names());
    assertTrue(store.check().run().isClean());

    // Save into the same (existing) layout under another name: both names are there.
    ImageTransports.save(store, List.of("greet:1"), loc("oci:" + layout + ":copy"));
    assertEquals(original.digest(), OciLayout.open(layout).find("copy").orElseThrow().digest());
    assertEquals(
        original.digest(),
        OciLayout.open(layout).find("localhost/greet:1").orElseThrow().digest());
    Path bundle = work.resolve("bundle");
    TestImages.run(work, "umoci", "unpack", "--image", layout + ":copy", bundle.toString());
    assertEquals("from umoci\n", Files.readString(bundle.resolve("rootfs/etc/greeting")));
  }

  @Test
  void loadDockerArchive_writtenBySkopeo_keepsConfigDigestAndDiffIds() throws Exception {
    Requirements.tool("skopeo");
    Path layout = umociImage("localhost/greet:1");
    Path archive = work.resolve("docker.tar");
    TestImages.run(
        work, "skopeo", "copy", "oci:" + layout + ":localhost/greet:1",
        "docker-archive:" + archive + ":localhost/greet:1");
    JsonNode dockerManifest = Json.readTree(tarEntry(archive, "manifest.json")).get(0);
    Digest configDigest =
        Digest.parse("sha256:" + dockerManifest.get("Config").asText().replace(".json", "")
            .replace("blobs/sha256/", ""));

    Store store = Store.open(root);
    List<Images.ResolvedImage> loaded =
        ImageTransports.load(store, loc("docker-archive:" + archive), List.of());
    assertEquals(List.of("localhost/greet:1"), loaded.get(0).names());
    Images.ImageDetails d = store.images().inspect("localhost/greet:1");
    assertEquals(configDigest, d.manifest().config().digest());
    ImageConfig fromArchive =
        Json.read(tarEntry(archive, dockerManifest.get("Config").asText()), ImageConfig.class);
    assertEquals(fromArchive.diffIds(), d.config().diffIds());
    assertTrue(store.check().run().isClean());
  }

  @Test
  void saveDockerArchive_acceptedBySkopeo_configDigestSurvives() throws Exception {
    Requirements.tool("skopeo");
    Store store = Store.open(root);
    Path t1 = TestImages.gnuTarLayer(work, "etc/a", "a\n");
    Path t2 = TestImages.gnuTarLayer(work, "etc/b", "b\n");
    var gz = TestImages.imageOf(store, List.of(t1, t2), true, "gz");
    var plain = TestImages.imageOf(store, List.of(t1), false, "plain");
    Path archive = work.resolve("saved.tar");
    ImageTransports.save(store, List.of("gz", "plain"), loc("docker-archive:" + archive));

    Path out = work.resolve("out");
    for (var img : List.of(gz, plain)) {
      String name = img.names().get(0);
      TestImages.run(
          work, "skopeo", "copy", "docker-archive:" + archive + ":" + name,
          "oci:" + out + ":" + name);
      String config =
          TestImages.run(work, "skopeo", "inspect", "--raw", "oci:" + out + ":" + name);
      Manifest m = Json.readManifest(config.getBytes(StandardCharsets.UTF_8), null);
      assertEquals(img.id(), m.config().digest(), name);
    }
    // Layers are uncompressed in the archive, named by diff_id, each once.
    List<String> names = tarNames(archive);
    ImageConfig cfg = store.images().inspect("gz").config();
    for (Digest diffId : cfg.diffIds()) {
      assertTrue(names.contains("blobs/sha256/" + diffId.hex()), names.toString());
      assertArrayEquals(
          Files.readAllBytes(diffId.equals(Digest.sha256(Files.readAllBytes(t1))) ? t1 : t2),
          tarEntry(archive, "blobs/sha256/" + diffId.hex()));
    }
    assertEquals(names.stream().distinct().count(), names.size());

    // And it loads back into a fresh store, same ids.
    Store other = Store.open(work.resolve("other"));
    ImageTransports.load(other, loc("docker-archive:" + archive), List.of());
    assertEquals(plain.id(), other.images().resolve("plain").id());
    assertEquals(gz.id(), other.images().resolve("gz").id());
  }

  @Test
  void ociArchive_roundTrip_reproducible_andReadBySkopeo() throws Exception {
    Requirements.tool("skopeo");
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    Path a = work.resolve("a.tar");
    Path b = work.resolve("b.tar");
    ImageTransports.save(store, List.of("hello"), loc("oci-archive:" + a));
    ImageTransports.save(store, List.of("hello"), loc("oci-archive:" + b));
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    String inspect =
        TestImages.run(work, "skopeo", "inspect", "oci-archive:" + a + ":localhost/hello:latest");
    assertEquals(
        img.digest().toString(), Json.readTree(inspect.getBytes()).path("Digest").asText());

    Store other = Store.open(work.resolve("other"));
    var loaded =
        ImageTransports.load(other, loc("oci-archive:" + a + ":localhost/hello:latest"),
            List.of("renamed"));
    assertEquals(img.digest(), loaded.get(0).digest());
    assertEquals(List.of("localhost/renamed:latest"), loaded.get(0).names());
    assertTrue(other.check().run().isClean());
  }

  @Test
  void ociArchive_writtenBySkopeo_loads() throws Exception {
    Requirements.tool("skopeo");
    Path layout = umociImage("localhost/greet:1");
    Path archive = work.resolve("skopeo-oci.tar");
    TestImages.run(
        work, "skopeo", "copy", "oci:" + layout + ":localhost/greet:1",
        "oci-archive:" + archive + ":localhost/greet:1");
    Store store = Store.open(root);
    var loaded = ImageTransports.load(store, loc("oci-archive:" + archive), List.of());
    assertEquals(
        OciLayout.open(layout).find("localhost/greet:1").orElseThrow().digest(),
        loaded.get(0).digest());
  }

  @Test
  void multiPlatformIndex_travelsWhole() throws Exception {
    Store store = Store.open(root);
    var one = TestImages.image(store, work, "one", "f", "1");
    var two = TestImages.image(store, work, "two", "f", "2");
    Index index =
        Index.of(
            List.of(
                one.target().withPlatform(Platform.host()),
                two.target().withPlatform(new Platform("s390x", "linux", null, null, null))));
    BlobInfo ib = store.blobs().put(Json.toBytes(index));
    store.images().name(ib.descriptor(MediaType.OCI_INDEX), List.of("multi"));
    Path dir = work.resolve("layout");
    ImageTransports.save(store, List.of("multi"), loc("oci:" + dir));
    Store other = Store.open(work.resolve("other"));
    var loaded = ImageTransports.load(other, loc("oci:" + dir), List.of());
    assertEquals(ib.digest(), loaded.get(0).digest());
    assertEquals(
        two.digest(),
        other.images().forPlatform("multi", Platform.parse("linux/s390x")).manifestDescriptor()
            .digest());
    assertTrue(other.check().run().isClean());
  }

  @Test
  void dockerArchive_withLayerNotMatchingDiffId_isRejected() throws Exception {
    Store store = Store.open(root);
    TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    Path archive = work.resolve("saved.tar");
    ImageTransports.save(store, List.of("hello"), loc("docker-archive:" + archive));
    Map<String, byte[]> entries = readTar(archive);
    ImageConfig cfg = store.images().inspect("hello").config();
    String layerName = "blobs/sha256/" + cfg.diffIds().get(0).hex();
    // Another layer under the same name: the config's diff_id no longer matches.
    entries.put(layerName, Files.readAllBytes(TestImages.gnuTarLayer(work, "etc/evil", "x")));
    Path tampered = work.resolve("tampered.tar");
    writeTar(tampered, entries);
    Store other = Store.open(work.resolve("other"));
    assertThrows(
        DigestMismatchException.class,
        () -> ImageTransports.load(other, loc("docker-archive:" + tampered), List.of()));
    assertTrue(other.images().list().isEmpty());
  }

  /**
   * Stores a true image "true" over a gzipped layer, and "lie" over the same layer whose config
   * gives the diff_id of another tar; returns {layer digest, true diff_id, false diff_id}.
   */
  private List<Digest> lyingImage(Store store) throws Exception {
    Path tar = TestImages.gnuTarLayer(work, "etc/hello", "hi\n");
    Path other = TestImages.gnuTarLayer(work, "etc/evil", "x");
    var img = TestImages.imageOf(store, List.of(tar), true, "true");
    Manifest m = OciContent.manifest(store.blobs(), img.target());
    Digest wrong = Digest.sha256(Files.readAllBytes(other));
    ImageConfig lie =
        store.images().inspect("true").config()
            .withRootFs(new ImageConfig.RootFs("layers", List.of(wrong)));
    store.images().write(lie, m.layers(), "lie");
    return List.of(m.layers().get(0).digest(), Digest.sha256(Files.readAllBytes(tar)), wrong);
  }

  private static void assertNamesLayerAndBothDiffIds(List<Digest> lie, Exception e) {
    for (Digest d : lie) {
      assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"oci", "oci-archive"})
  void load_configWithWrongDiffId_refusedAndNothingTagged(String transport) throws Exception {
    Store store = Store.open(root);
    List<Digest> lie = lyingImage(store);
    Path saved = work.resolve("saved-" + transport);
    ImageTransports.save(store, List.of("lie"), loc(transport + ":" + saved));
    Store fresh = Store.open(work.resolve("fresh"));
    DigestMismatchException e =
        assertThrows(
            DigestMismatchException.class,
            () -> ImageTransports.load(fresh, loc(transport + ":" + saved), List.of()));
    assertNamesLayerAndBothDiffIds(lie, e);
    assertTrue(fresh.images().list().isEmpty());

    // A store that has the layer already (from the true image) checks it all the same.
    Store holder = Store.open(work.resolve("holder"));
    ImageTransports.save(store, List.of("true"), loc(transport + ":" + work.resolve("true-" + transport)));
    ImageTransports.load(holder, loc(transport + ":" + work.resolve("true-" + transport)), List.of());
    e =
        assertThrows(
            DigestMismatchException.class,
            () -> ImageTransports.load(holder, loc(transport + ":" + saved), List.of()));
    assertNamesLayerAndBothDiffIds(lie, e);
    assertEquals(1, holder.images().list().size());
  }

  @Test
  void systemCheck_configWithWrongDiffId_reportedAndRepaired() throws Exception {
    Store store = Store.open(root);
    List<Digest> lie = lyingImage(store);
    var result = store.check().run();
    var broken = result.of(dev.lamina.layerfs.store.StoreCheck.Kind.BROKEN_NAME);
    assertEquals(1, broken.size(), result.problems().toString());
    assertEquals("localhost/lie:latest", broken.get(0).subject());
    for (Digest d : lie) {
      assertTrue(broken.get(0).detail().contains(d.toString()), broken.get(0).detail());
    }
    assertEquals(List.of(), result.of(dev.lamina.layerfs.store.StoreCheck.Kind.CORRUPT_BLOB));
    store.check().repair();
    assertTrue(store.check().run().isClean());
    assertEquals(1, store.images().list().size());
  }

  @Test
  void dockerArchive_withGzippedLayer_loadsItAsItIs() throws Exception {
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    Path archive = work.resolve("saved.tar");
    ImageTransports.save(store, List.of("hello"), loc("docker-archive:" + archive));
    Map<String, byte[]> entries = readTar(archive);
    String layerName = "blobs/sha256/" + store.images().inspect("hello").config().diffIds()
        .get(0).hex();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(entries.get(layerName));
    }
    // Under a name of its own: a blobs/sha256/HEX name promises that digest, which is checked.
    entries.remove(layerName);
    entries.put("0/layer.tar.gz", gz.toByteArray());
    entries.put(
        "manifest.json",
        new String(entries.get("manifest.json"), StandardCharsets.UTF_8)
            .replace(layerName, "0/layer.tar.gz")
            .getBytes(StandardCharsets.UTF_8));
    Path gzArchive = work.resolve("gz.tar");
    writeTar(gzArchive, entries);
    Store other = Store.open(work.resolve("other"));
    ImageTransports.load(other, loc("docker-archive:" + gzArchive + ":hello"), List.of());
    Descriptor layer = other.images().inspect("hello").manifest().layers().get(0);
    assertEquals(MediaType.OCI_LAYER_GZIP, layer.mediaType());
    assertEquals(Digest.sha256(gz.toByteArray()), layer.digest());
    assertEquals(img.id(), other.images().resolve("hello").id());
    assertTrue(other.check().run().isClean());
  }

  @Test
  void ociArchive_blobNotMatchingItsName_isRejected() throws Exception {
    Store store = Store.open(root);
    TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    Path archive = work.resolve("a.tar");
    ImageTransports.save(store, List.of("hello"), loc("oci-archive:" + archive));
    Map<String, byte[]> entries = readTar(archive);
    Digest layer = store.images().inspect("hello").manifest().layers().get(0).digest();
    byte[] content = entries.get("blobs/sha256/" + layer.hex());
    content[content.length / 2] ^= 1;
    Path tampered = work.resolve("tampered.tar");
    writeTar(tampered, entries);
    Store other = Store.open(work.resolve("other"));
    assertThrows(
        DigestMismatchException.class,
        () -> ImageTransports.load(other, loc("oci-archive:" + tampered), List.of()));
    assertTrue(other.images().list().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../evil",
        "/etc/evil",
        "blobs/sha256/../../evil",
        "blobs/sha256/ABC",
        "blobs/../index.json",
        "other.txt"
      })
  void ociArchive_withHostileEntryName_isRejected_andNothingWrittenOutside(String name)
      throws Exception {
    Store store = Store.open(root);
    TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    Path archive = work.resolve("a.tar");
    ImageTransports.save(store, List.of("hello"), loc("oci-archive:" + archive));
    Map<String, byte[]> entries = readTar(archive);
    entries.put(name, "pwned".getBytes());
    Path hostile = work.resolve("hostile.tar");
    writeTar(hostile, entries);
    Path otherRoot = work.resolve("deep/other");
    Store other = Store.open(otherRoot);
    IOException e =
        assertThrows(
            IOException.class,
            () -> ImageTransports.load(other, loc("oci-archive:" + hostile), List.of()));
    assertTrue(e.getMessage().contains("unexpected"), e.getMessage());
    assertTrue(Files.notExists(work.resolve("deep/evil")));
    assertTrue(Files.notExists(otherRoot.resolve("evil")));
    assertTrue(Files.notExists(Path.of("/etc/evil")));
    assertTrue(other.images().list().isEmpty());
  }

  @Test
  void ociArchive_withSymlinkEntry_isRejected() throws Exception {
    Path archive = work.resolve("link.tar");
    try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
        Files.newOutputStream(archive))) {
      TarArchiveEntry e = new TarArchiveEntry("index.json", TarArchiveEntry.LF_SYMLINK);
      e.setLinkName("/etc/passwd");
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
    }
    Store store = Store.open(root);
    IOException ex =
        assertThrows(
            IOException.class,
            () -> ImageTransports.load(store, loc("oci-archive:" + archive), List.of()));
    assertTrue(ex.getMessage().contains("only regular files"), ex.getMessage());
  }

  @Test
  void loadOciDir_unnamedImage_needsAName() throws Exception {
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    Path dir = work.resolve("layout");
    OciLayout out = OciLayout.openOrCreate(dir);
    for (Descriptor d :
        new ArrayList<>(OciContentBlobs.of(store, img.target()))) {
      try (InputStream in = store.blobs().open(d.digest(), d.size())) {
        out.blobs().putVerified(in, d);
      }
    }
    out.updateIndex(i -> i.withManifests(List.of(img.target())));
    Store other = Store.open(work.resolve("other"));
    assertThrows(IOException.class,
        () -> ImageTransports.load(other, loc("oci:" + dir), List.of()));
    var loaded = ImageTransports.load(other, loc("oci:" + dir), List.of("named"));
    assertEquals(img.digest(), loaded.get(0).digest());
  }

  /** The blobs of a single-manifest image. */
  private static final class OciContentBlobs {
    static List<Descriptor> of(Store store, Descriptor manifest) throws IOException {
      Manifest m = OciContent.manifest(store.blobs(), manifest);
      List<Descriptor> out = new ArrayList<>(m.layers());
      out.add(m.config());
      out.add(manifest);
      return out;
    }
  }

  static byte[] tarEntry(Path tar, String name) throws IOException {
    byte[] b = readTar(tar).get(name);
    if (b == null) {
      throw new AssertionError(name + " not in " + tar);
    }
    return b;
  }

  static List<String> tarNames(Path tar) throws IOException {
    return new ArrayList<>(readTar(tar).keySet());
  }

  static Map<String, byte[]> readTar(Path tar) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (var in = new TarArchiveInputStream(Files.newInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.isFile()) {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          in.transferTo(b);
          out.put(e.getName(), b.toByteArray());
        }
      }
    }
    return out;
  }

  static void writeTar(Path tar, Map<String, byte[]> entries) throws IOException {
    try (var out =
        new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
            Files.newOutputStream(tar))) {
      out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream
          .LONGFILE_POSIX);
      for (var e : entries.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
        entry.setSize(e.getValue().length);
        out.putArchiveEntry(entry);
        out.write(e.getValue());
        out.closeArchiveEntry();
      }
    }
  }
}
