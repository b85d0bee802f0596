package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.TestImages;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The interop matrix: what Lamina pushes, skopeo and umoci read; what skopeo pushes, Lamina pulls;
 * gzip and zstd layers both ways. umoci (0.4.7) cannot unpack zstd layers, so a zstd image is
 * recompressed to gzip by skopeo on its way to umoci, which still proves skopeo read it.
 */
class InteropTest {
  @TempDir Path work;
  private RegistryServer registry;

  @BeforeEach
  void start() throws Exception {
    Requirements.tool("skopeo");
    Requirements.tool("umoci");
    registry = RegistryServer.start(work.resolve("registry"));
  }

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private String ref(String name) {
    return "docker://" + registry.address() + "/" + name;
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void laminaPush_skopeoCopies_umociUnpacks(Compression c) throws Exception {
    Store store = Store.open(work.resolve("store"));
    Images.ResolvedImage img =
        TestImages.image(store, work, "hello", "etc/greeting", "hello from lamina\n");
    Descriptor pushed = ImageTransports.save(store, List.of("hello"),
        ImageLocation.parse(ref("interop/hello:" + c.name().toLowerCase())),
        RegistryOptions.builder().compression(c).build());

    String inspect = TestImages.run(work, "skopeo", "inspect", "--tls-verify=false",
        ref("interop/hello:" + c.name().toLowerCase()));
    JsonNode json = Json.readTree(inspect.getBytes(StandardCharsets.UTF_8));
    assertEquals(pushed.digest().toString(), json.path("Digest").asText());
    JsonNode raw = Json.readTree(TestImages.run(work, "skopeo", "inspect", "--raw",
        "--tls-verify=false", ref("interop/hello:" + c.name().toLowerCase()))
        .getBytes(StandardCharsets.UTF_8));
    assertEquals(c.layerMediaType(), raw.path("layers").path(0).path("mediaType").asText());

    Path layout = work.resolve("skopeo-oci");
    if (c == Compression.ZSTD) {
      TestImages.run(work, "skopeo", "copy", "-q", "--src-tls-verify=false",
          "--dest-compress-format", "gzip", "--dest-compress",
          ref("interop/hello:zstd"), "oci:" + layout + ":hello");
    } else {
      TestImages.run(work, "skopeo", "copy", "-q", "--src-tls-verify=false",
          ref("interop/hello:gzip"), "oci:" + layout + ":hello");
    }
    Path bundle = work.resolve("bundle");
    TestImages.run(work, "umoci", "unpack", "--image", layout + ":hello", bundle.toString());
    assertEquals("hello from lamina\n",
        Files.readString(bundle.resolve("rootfs/etc/greeting")));
    assertTrue(store.check().run().isClean());
    assertEquals(img.names(), List.of("localhost/hello:latest"));
  }

  /**
   * Gzip of incompressible files (stored blocks among deflated ones, as Lamina writes them) is
   * read by Go's gzip reader (umoci unpacks it, skopeo copies it) and by gzip itself.
   */
  @org.junit.jupiter.api.Test
  void laminaGzip_ofRandomFiles_readByGoAndGzip() throws Exception {
    Requirements.tool("gzip");
    Store store = Store.open(work.resolve("store"));
    Path tar = RandomLayers.tar(work, 20, 70_000, 3);
    TestImages.imageOf(store, List.of(tar), false, "random");
    ImageTransports.save(store, List.of("random"), ImageLocation.parse(ref("interop/random:1")),
        RegistryOptions.builder().compression(Compression.GZIP).build());
    Path layout = work.resolve("skopeo-oci");
    TestImages.run(work, "skopeo", "copy", "-q", "--src-tls-verify=false",
        ref("interop/random:1"), "oci:" + layout + ":random");
    Path bundle = work.resolve("bundle");
    TestImages.run(work, "umoci", "unpack", "--image", layout + ":random", bundle.toString());
    Path expected = Files.createDirectories(work.resolve("expected"));
    TestImages.run(work, "tar", "-xf", tar.toString(), "-C", expected.toString());
    for (int i = 0; i < 20; i++) {
      String f = "data/file-" + i + ".bin";
      assertEquals(Digest.sha256(Files.readAllBytes(expected.resolve(f))),
          Digest.sha256(Files.readAllBytes(bundle.resolve("rootfs").resolve(f))), f);
    }
    JsonNode manifest = Json.readTree(TestImages.run(work, "skopeo", "inspect", "--raw",
        "--tls-verify=false", ref("interop/random:1")).getBytes(StandardCharsets.UTF_8));
    String layer = manifest.path("layers").path(0).path("digest").asText().substring(7);
    TestImages.run(work, "gzip", "-t", layout.resolve("blobs/sha256/" + layer).toString());
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void skopeoPush_laminaPulls(Compression c) throws Exception {
    Path layout = work.resolve("umoci-oci");
    Path rootfs = Files.createDirectories(work.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("greeting"), "from umoci\n");
    TestImages.run(work, "umoci", "init", "--layout", layout.toString());
    TestImages.run(work, "umoci", "new", "--image", layout + ":img");
    TestImages.run(work, "umoci", "insert", "--image", layout + ":img", rootfs.toString(),
        "/etc");
    String name = "skopeo/img:" + c.name().toLowerCase();
    TestImages.run(work, "skopeo", "copy", "-q", "--dest-tls-verify=false",
        "--dest-compress-format", c.name().toLowerCase(), "--dest-compress",
        "oci:" + layout + ":img", ref(name));
    String rawManifest = TestImages.run(work, "skopeo", "inspect", "--raw",
        "--tls-verify=false", ref(name));
    Digest skopeoDigest = Digest.sha256(rawManifest.getBytes(StandardCharsets.UTF_8));

    Store store = Store.open(work.resolve("store"));
    Images.ResolvedImage got = ImageTransports.load(store,
        ImageLocation.parse(ref(name)), List.of(), RegistryOptions.defaults()).get(0);
    assertEquals(skopeoDigest, got.digest());
    assertEquals(List.of(registry.address() + "/" + name), got.names());
    Manifest m = OciContent.manifest(store.blobs(), got.target());
    assertEquals(c.layerMediaType(), m.layers().get(m.layers().size() - 1).mediaType());
    assertTrue(store.check().run().isClean(), store.check().run().problems().toString());

    // And back out through Lamina, for umoci to unpack (gzip for umoci's sake).
    Path out = work.resolve("back");
    ImageTransports.save(store, List.of(got.names().get(0)),
        ImageLocation.parse(ref("back/img:1")),
        RegistryOptions.builder().compression(Compression.GZIP).build());
    TestImages.run(work, "skopeo", "copy", "-q", "--src-tls-verify=false",
        ref("back/img:1"), "oci:" + out + ":img");
    TestImages.run(work, "umoci", "unpack", "--image", out + ":img",
        work.resolve("bundle").toString());
    assertEquals("from umoci\n", Files.readString(work.resolve("bundle/rootfs/etc/greeting")));
  }
}
