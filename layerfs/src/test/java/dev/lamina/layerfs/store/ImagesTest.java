package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
  @TempDir Path root;
  @TempDir Path work;

  @Test
  void write_namesImageInIndexJsonWithFullReference() throws Exception {
    Store store = Store.open(root);
    Images.ResolvedImage img = TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    assertEquals(List.of("localhost/hello:latest"), img.names());
    Index index = store.layout().index();
    assertEquals(1, index.manifests().size());
    Descriptor entry = index.manifests().get(0);
    assertEquals(MediaType.OCI_MANIFEST, entry.mediaType());
    assertEquals("localhost/hello:latest", entry.annotation(Descriptor.REF_NAME));
    assertEquals(img.digest(), entry.digest());
  }

  @Test
  void write_isReproducible() throws Exception {
    Store a = Store.open(root.resolve("a"));
    Store b = Store.open(root.resolve("b"));
    Path tar = TestImages.gnuTarLayer(work, "f", "x");
    var one = TestImages.imageOf(a, List.of(tar), false, "x");
    var two = TestImages.imageOf(b, List.of(tar), false, "x");
    assertEquals(one.digest(), two.digest());
    assertEquals(
        Files.readString(root.resolve("a/images/index.json")),
        Files.readString(root.resolve("b/images/index.json")));
  }

  @Test
  void write_refusesLayerCountDifferentFromDiffIds() throws Exception {
    Store store = Store.open(root);
    ImageConfig config = ImageConfig.empty("1970-01-01T00:00:00Z");
    BlobInfo layer = store.blobs().put(Files.readAllBytes(TestImages.gnuTarLayer(work, "f", "x")));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.images().write(config, List.of(layer.descriptor(MediaType.OCI_LAYER)), "x"));
  }

  @Test
  void resolve_byNameIdPrefixDigestAndNameAtDigest() throws Exception {
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "docker.io/library/busybox:1.36", "bin/sh", "sh");
    Images images = store.images();
    assertEquals(img.digest(), images.resolve("docker.io/library/busybox:1.36").digest());
    assertEquals(img.digest(), images.resolve(img.id().toString()).digest());
    assertEquals(img.digest(), images.resolve(img.id().hex()).digest());
    assertEquals(img.digest(), images.resolve(img.id().shortHex()).digest());
    assertEquals(img.digest(), images.resolve(img.digest().toString()).digest());
    assertEquals(
        img.digest(), images.resolve("docker.io/library/busybox@" + img.digest()).digest());
    assertThrows(ImageNotFoundException.class, () -> images.resolve("busybox"));
    assertThrows(
        ImageNotFoundException.class, () -> images.resolve("other@" + img.digest()));
    assertThrows(ImageNotFoundException.class, () -> images.resolve("sha256:" + "0".repeat(64)));
  }

  @Test
  void shortName_findsTheImageUnderAnyRegistry_asPodmanDoes() throws Exception {
    Store store = Store.open(root);
    var alpine = TestImages.image(store, work, "docker.io/library/alpine:3", "etc/a", "a");
    var quay = TestImages.image(store, work, "quay.io/org/tool", "etc/t", "t");
    Images images = store.images();
    assertEquals(alpine.digest(), images.resolve("alpine:3").digest());
    assertEquals(alpine.digest(), images.resolve("library/alpine:3").digest());
    assertEquals("docker.io/library/alpine:3", images.nameOf("alpine:3"));
    assertEquals(alpine.digest(), images.resolve("alpine@" + alpine.digest()).digest());
    assertEquals(quay.digest(), images.resolve("tool").digest());
    assertEquals(quay.digest(), images.resolve("org/tool").digest());
    assertThrows(ImageNotFoundException.class, () -> images.resolve("alpine"), "tag latest");
    assertThrows(ImageNotFoundException.class, () -> images.resolve("pine:3"), "whole components");
    assertThrows(ImageNotFoundException.class, () -> images.resolve("example.com/alpine:3"),
        "a name with a registry is only itself");
    assertNull(images.nameOf(alpine.id().toString()));

    // The same short name under two registries is ambiguous; a local image goes first.
    TestImages.image(store, work, "quay.io/library/alpine:3", "etc/b", "b");
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> images.resolve("alpine:3"));
    assertTrue(e.getMessage().contains("docker.io/library/alpine:3"), e.getMessage());
    var local = TestImages.image(store, work, "alpine:3", "etc/c", "c");
    assertEquals(local.digest(), images.resolve("alpine:3").digest());

    // rmi by the short name removes the name it stands for, not the image's others.
    store.images().tag("quay.io/org/tool", "quay.io/org/tool:2");
    assertEquals(List.of("quay.io/org/tool:latest"), images.remove("tool", false).untagged());
    assertEquals(quay.digest(), images.resolve("tool:2").digest());
  }

  @Test
  void list_showsOneRowPerName() throws Exception {
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "f", "1");
    store.images().tag("hello", "hello:v2");
    List<Images.ImageSummary> rows = store.images().list();
    assertEquals(2, rows.size());
    assertEquals("localhost/hello", rows.get(0).repository());
    assertEquals("latest", rows.get(0).tag());
    assertEquals("v2", rows.get(1).tag());
    assertEquals(img.id(), rows.get(1).id());
    assertEquals("1970-01-01T00:00:00Z", rows.get(0).created());
    long expected =
        img.target().size()
            + store.images().inspect("hello").manifest().config().size()
            + store.images().inspect("hello").manifest().layers().get(0).size();
    assertEquals(expected, rows.get(0).size());
  }

  @Test
  void tag_movesNameFromAnotherImage() throws Exception {
    Store store = Store.open(root);
    var a = TestImages.image(store, work, "a", "f", "a");
    var b = TestImages.image(store, work, "b", "f", "b");
    store.images().tag("a", "shared");
    assertEquals(a.digest(), store.images().resolve("shared").digest());
    store.images().tag("b", "shared");
    assertEquals(b.digest(), store.images().resolve("shared").digest());
    assertEquals(List.of("localhost/a:latest"), store.images().resolve("a").names());
    assertThrows(IllegalArgumentException.class, () -> store.images().tag("a", "Bad Name"));
  }

  @Test
  void remove_untagsAndDeletesBlobsOnlyWithTheLastName() throws Exception {
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "f", "1");
    store.images().tag("hello", "hello:v2");
    Images.RemovedImage first = store.images().remove("hello:v2", false);
    assertEquals(List.of("localhost/hello:v2"), first.untagged());
    assertEquals(List.of(), first.deleted());
    assertEquals(3, store.blobs().list().size());
    Images.RemovedImage last = store.images().remove("hello", false);
    assertEquals(3, last.deleted().size());
    assertEquals(List.of(), store.blobs().list());
    assertThrows(ImageNotFoundException.class, () -> store.images().resolve(img.id().hex()));
    assertTrue(store.check().run().isClean());
  }

  @Test
  void remove_keepsBlobsSharedWithAnotherImage() throws Exception {
    Store store = Store.open(root);
    Path tar = TestImages.gnuTarLayer(work, "f", "shared");
    TestImages.imageOf(store, List.of(tar), false, "one");
    var two = TestImages.imageOf(store, List.of(tar, tar), false, "two");
    store.images().remove("one", false);
    assertTrue(store.check().run().isClean(), () -> store.check().toString());
    assertNotNull(store.images().inspect("two").config());
    assertEquals(two.digest(), store.images().resolve("two").digest());
  }

  @Test
  void remove_byIdWithSeveralNames_needsForce() throws Exception {
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "f", "1");
    store.images().tag("hello", "other");
    assertThrows(
        java.io.IOException.class, () -> store.images().remove(img.id().shortHex(), false));
    var removed = store.images().remove(img.id().shortHex(), true);
    assertEquals(2, removed.untagged().size());
    assertEquals(List.of(), store.images().list());
  }

  @Test
  void remove_refusesImageInUseUnlessForced() throws Exception {
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "f", "1");
    ImageUsage usage =
        (digest, id) -> digest.equals(img.digest()) && id.equals(img.id())
            ? List.of("c0ffee") : List.of();
    Images images = store.images(usage);
    var e = assertThrows(ImageInUseException.class, () -> images.remove("hello", false));
    assertEquals(List.of("c0ffee"), e.users());
    assertEquals(img.digest(), images.resolve("hello").digest());
    images.remove("hello", true);
    assertEquals(List.of(), images.list());
  }

  @Test
  void history_newestFirstWithLayers() throws Exception {
    Store store = Store.open(root);
    Path t1 = TestImages.gnuTarLayer(work, "a", "1");
    Path t2 = TestImages.gnuTarLayer(work, "b", "2");
    TestImages.imageOf(store, List.of(t1, t2), true, "h");
    List<Images.HistoryEntry> h = store.images().history("h");
    assertEquals(2, h.size());
    assertEquals("layer 1", h.get(0).createdBy());
    assertEquals(MediaType.OCI_LAYER_GZIP, h.get(0).layer().mediaType());
    assertTrue(h.get(1).size() > 0);
  }

  @Test
  void multiPlatformIndex_resolvesToRequestedPlatform() throws Exception {
    Store store = Store.open(root);
    var host = TestImages.image(store, work, "tmp-host", "f", "host");
    var other = TestImages.image(store, work, "tmp-other", "f", "other");
    Platform hostPlatform = Platform.host();
    Platform foreign =
        new Platform("amd64".equals(hostPlatform.architecture()) ? "arm64" : "amd64", "linux",
            null, null, null);
    Index index =
        Index.of(
            List.of(
                other.target().withPlatform(foreign),
                host.target().withPlatform(hostPlatform)));
    BlobInfo ib = store.blobs().put(Json.toBytes(index));
    store.images().name(ib.descriptor(MediaType.OCI_INDEX), List.of("multi"));
    store.images().remove("tmp-host", false);
    store.images().remove("tmp-other", false);
    Images.ImageDetails d = store.images().inspect("multi");
    assertNotNull(d.index());
    assertEquals(host.digest(), d.manifestDescriptor().digest());
    assertEquals(other.digest(),
        store.images().forPlatform("multi", foreign).manifestDescriptor().digest());
    assertEquals(ib.digest(), store.images().resolve("multi").id());
    assertTrue(store.check().run().isClean(), () -> store.check().toString());
    assertThrows(ImageNotFoundException.class,
        () -> store.images().forPlatform("multi", Platform.parse("windows/amd64")));
    assertEquals(0, store.prune().run().removedBlobs().size());
  }

  @Test
  void inspect_ofEmptyImage_writesLayersField() throws Exception {
    Store store = Store.open(root);
    var img = store.images().write(ImageConfig.empty("1970-01-01T00:00:00Z"), List.of(), "empty");
    String manifest =
        new String(
            store.blobs().readVerified(img.target()), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(manifest.contains("\"layers\":[]"), manifest);
    assertNull(Json.readTree(store.blobs().readVerified(img.target())).get("manifests"));
    assertFalse(store.images().inspect("empty").config().diffIds().iterator().hasNext());
  }

}
