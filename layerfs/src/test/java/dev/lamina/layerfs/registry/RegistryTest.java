package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.TestImages;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push and pull against Debian's docker-registry on 127.0.0.1, sometimes behind a test proxy. */
class RegistryTest {
  @TempDir Path work;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private RegistryServer registry() throws Exception {
    RegistryServer r = RegistryServer.start(Files.createTempDirectory(work, "registry"));
    open.add(r);
    return r;
  }

  private RegistryProxy proxy(RegistryServer r) throws Exception {
    RegistryProxy p = new RegistryProxy(r.address());
    open.add(p);
    return p;
  }

  private Store store(String name) throws Exception {
    return Store.open(work.resolve(name));
  }

  /** A store with one image of two uncompressed layers, one of them {@code kb} KiB of noise. */
  private Images.ResolvedImage image(Store store, String name, int kb) throws Exception {
    Path a = TestImages.gnuTarLayer(work, "etc/hello", "hello from lamina\n");
    Path b = TestImages.gnuTarLayer(work, "data/noise.txt", noise(kb));
    return TestImages.imageOf(store, List.of(a, b), false, name);
  }

  private static String noise(int kb) {
    Random r = new Random(kb);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < kb * 1024) {
      sb.append(Long.toHexString(r.nextLong()));
    }
    return sb.toString();
  }

  private static ImageLocation at(String address, String name) {
    return ImageLocation.parse("docker://" + address + "/" + name);
  }

  private static List<Images.ResolvedImage> pull(Store store, String address, String name,
      RegistryOptions o) throws Exception {
    return ImageTransports.load(store, at(address, name), List.of(), o);
  }

  private static Descriptor push(Store store, String image, String address, String name,
      RegistryOptions o) throws Exception {
    return ImageTransports.save(store, List.of(image), at(address, name), o);
  }

  @Test
  void pushThenPull_intoEmptyStore_sameImage() throws Exception {
    RegistryServer reg = registry();
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 64);
    Descriptor pushed = push(a, "hello", reg.address(), "lamina/hello:1",
        RegistryOptions.defaults());
    assertEquals(img.digest(), pushed.digest(), "pushed as stored, the digest is unchanged");

    Store b = store("b");
    List<Images.ResolvedImage> got = pull(b, reg.address(), "lamina/hello:1",
        RegistryOptions.defaults());
    assertEquals(img.digest(), got.get(0).digest());
    assertEquals(List.of(reg.address() + "/lamina/hello:1"), got.get(0).names());
    assertTrue(b.check().run().isClean(), b.check().run().problems().toString());
    assertEquals(a.blobs().list(), b.blobs().list());
  }

  @Test
  void pushAgain_sendsNoBlob_andOtherRepository_mounts() throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    Store a = store("a");
    image(a, "hello", 16);
    push(a, "hello", proxy.address(), "one/hello:1", RegistryOptions.defaults());
    int uploadsBefore = proxy.requests("POST", "/blobs/uploads/").size();
    assertEquals(3, uploadsBefore, "config and two layers uploaded once");

    proxy.seen.clear();
    List<TransferProgress.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    RegistryOptions o = RegistryOptions.builder().progress(recording(outcomes)).build();
    push(a, "hello", proxy.address(), "one/hello:2", o);
    assertEquals(List.of(), proxy.requests("POST", "/blobs/uploads/"), "no blob re-sent");
    assertEquals(List.of(), proxy.requests("PATCH", "/blobs/"));
    assertEquals(3, proxy.requests("HEAD", "/blobs/").size());
    assertEquals(3, Collections.frequency(outcomes, TransferProgress.Outcome.SKIPPED));

    proxy.seen.clear();
    outcomes.clear();
    push(a, "hello", proxy.address(), "two/hello:1", o);
    List<RegistryProxy.Seen> posts = proxy.requests("POST", "/blobs/uploads/");
    assertEquals(3, posts.size());
    for (RegistryProxy.Seen s : posts) {
      assertTrue(s.query().contains("mount=") && s.query().contains("from=one%2Fhello"),
          s.toString());
      assertEquals(201, s.status(), "mounted: " + s);
    }
    assertEquals(List.of(), proxy.requests("PUT", "/blobs/uploads/"));
    assertEquals(3, Collections.frequency(outcomes, TransferProgress.Outcome.MOUNTED));
  }

  private static TransferProgress recording(List<TransferProgress.Outcome> outcomes) {
    return new TransferProgress() {
      @Override
      public void finished(Descriptor blob, Outcome outcome) {
        outcomes.add(outcome);
      }
    };
  }

  @Test
  void basicAuth_withoutCredentials_isRefused_withThem_pushAndPull() throws Exception {
    RegistryServer reg =
        RegistryServer.start(Files.createTempDirectory(work, "auth"), "alice", "s3cret");
    open.add(reg);
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 8);
    Path authFile = work.resolve("auth.json");
    RegistryException e = assertThrows(RegistryException.class,
        () -> push(a, "hello", reg.address(), "p/hello:1",
            RegistryOptions.builder().authFile(authFile).build()));
    assertTrue(e.getMessage().contains("requires a login"), e.getMessage());

    RegistryException wrong = assertThrows(RegistryException.class,
        () -> push(a, "hello", reg.address(), "p/hello:1",
            RegistryOptions.builder().authFile(authFile)
                .credentials(new Credentials("alice", "wrong")).build()));
    assertTrue(wrong.getMessage().contains("failed for user alice"), wrong.getMessage());

    AuthFiles.of(authFile).store(reg.address(), new Credentials("alice", "s3cret"));
    RegistryOptions withFile = RegistryOptions.builder().authFile(authFile).build();
    push(a, "hello", reg.address(), "p/hello:1", withFile);
    Store b = store("b");
    assertEquals(img.digest(), pull(b, reg.address(), "p/hello:1", withFile).get(0).digest());
    assertTrue(b.check().run().isClean());
  }

  @Test
  void bearerTokens_areFetchedForTheScopes_andNeverSentToRedirects() throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    proxy.bearer = true;
    proxy.bearerUser = "bob";
    proxy.bearerPassword = "pw";
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 8);
    RegistryOptions anonymous =
        RegistryOptions.builder().authFile(work.resolve("none.json")).build();
    RegistryException denied = assertThrows(RegistryException.class,
        () -> push(a, "hello", proxy.address(), "t/hello:1", anonymous));
    assertTrue(denied.getMessage().contains("authentication"), denied.getMessage());

    RegistryOptions bob = RegistryOptions.builder().authFile(work.resolve("none.json"))
        .credentials(new Credentials("bob", "pw")).build();
    push(a, "hello", proxy.address(), "t/hello:1", bob);
    assertTrue(proxy.tokenScopes.stream()
        .anyMatch(q -> q.contains("service=lamina-test")
            && q.contains("scope=repository:t/hello:pull,push")), proxy.tokenScopes.toString());

    proxy.redirectBlobs = true;
    Store b = store("b");
    assertEquals(img.digest(), pull(b, proxy.address(), "t/hello:1", bob).get(0).digest());
    assertFalse(proxy.storageSeen.isEmpty(), "blobs came from the redirect target");
    for (RegistryProxy.Seen s : proxy.storageSeen) {
      assertEquals(null, s.authorization(), "no credentials to the redirect target: " + s);
    }
    assertTrue(proxy.requests("GET", "/manifests/").stream()
        .allMatch(s -> s.status() != 200 || s.authorization().startsWith("Bearer ")));
  }

  @Test
  void pull_tamperedBlob_failsClearly_andLeavesNothingInTheStore() throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 32);
    push(a, "hello", reg.address(), "x/hello:1", RegistryOptions.defaults());
    Manifest m = OciContent.manifest(a.blobs(), img.target());
    proxy.corruptDigest = m.layers().get(1).digest().toString();

    Store b = store("b");
    DigestMismatchException e = assertThrows(DigestMismatchException.class,
        () -> pull(b, proxy.address(), "x/hello:1", RegistryOptions.defaults()));
    assertTrue(e.getMessage().contains(m.layers().get(1).digest().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("wrong content"), e.getMessage());
    assertEquals(List.of(), b.blobs().list(), "no blob of the failed pull was committed");
    assertEquals(List.of(), b.images().list());
    assertTrue(b.check().run().isClean());
    try (var tmp = Files.list(b.tmpDir())) {
      assertEquals(0, tmp.count(), "no temp file left");
    }
  }

  @Test
  void pull_configWithWrongDiffId_refused_evenWhenTheLayerIsStored() throws Exception {
    RegistryServer reg = registry();
    Store a = store("a");
    Path tar = TestImages.gnuTarLayer(work, "etc/hello", "hello\n");
    Images.ResolvedImage truth = TestImages.imageOf(a, List.of(tar), true, "truth");
    Manifest m = OciContent.manifest(a.blobs(), truth.target());
    Digest wrong = Digest.sha256(Files.readAllBytes(TestImages.gnuTarLayer(work, "etc/x", "x")));
    a.images().write(
        a.images().inspect("truth").config()
            .withRootFs(new ImageConfig.RootFs("layers", List.of(wrong))),
        m.layers(), "lie");
    push(a, "lie", reg.address(), "x/lie:1", RegistryOptions.defaults());
    push(a, "truth", reg.address(), "x/truth:1", RegistryOptions.defaults());

    Store b = store("b");
    DigestMismatchException e = assertThrows(DigestMismatchException.class,
        () -> pull(b, reg.address(), "x/lie:1", RegistryOptions.defaults()));
    Digest right = Digest.sha256(Files.readAllBytes(tar));
    for (Digest d : List.of(m.layers().get(0).digest(), right, wrong)) {
      assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
    }
    assertEquals(List.of(), b.images().list());

    // With the layer already stored for a true image, the lie is refused all the same.
    pull(b, reg.address(), "x/truth:1", RegistryOptions.defaults());
    assertThrows(DigestMismatchException.class,
        () -> pull(b, reg.address(), "x/lie:1", RegistryOptions.defaults()));
    assertEquals(1, b.images().list().size());
  }

  @Test
  void pull_tamperedRegistryStorage_failsClearly() throws Exception {
    RegistryServer reg = registry();
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 4);
    push(a, "hello", reg.address(), "s/hello:1", RegistryOptions.defaults());
    Digest layer = OciContent.manifest(a.blobs(), img.target()).layers().get(0).digest();
    Path data = reg.storage().resolve("docker/registry/v2/blobs/sha256/"
        + layer.hex().substring(0, 2) + "/" + layer.hex() + "/data");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length - 1] ^= 0x20;
    Files.write(data, bytes);

    Store b = store("b");
    DigestMismatchException e = assertThrows(DigestMismatchException.class,
        () -> pull(b, reg.address(), "s/hello:1", RegistryOptions.defaults()));
    assertTrue(e.getMessage().contains(layer.toString()), e.getMessage());
    assertEquals(List.of(), b.images().list());
    assertTrue(b.check().run().isClean());
  }

  @Test
  void pull_interruptedDownload_resumesWithRange() throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 256);
    push(a, "hello", reg.address(), "r/hello:1", RegistryOptions.defaults());
    Descriptor big = OciContent.manifest(a.blobs(), img.target()).layers().get(1);
    proxy.truncateDigest = big.digest().toString();
    proxy.truncateAfter = 100_000;

    Store b = store("b");
    assertEquals(img.digest(),
        pull(b, proxy.address(), "r/hello:1", RegistryOptions.defaults()).get(0).digest());
    List<RegistryProxy.Seen> gets = proxy.requests("GET", "/blobs/" + big.digest());
    assertEquals(2, gets.size(), gets.toString());
    assertEquals("bytes=100000-", gets.get(1).range());
    assertEquals(206, gets.get(1).status());
    assertTrue(b.check().run().isClean());
  }

  /** An image pushed as r/hello:1, whose big layer the proxy stalls after 1000 bytes. */
  private record Stalled(RegistryProxy proxy, Store store, Images.ResolvedImage img,
      Descriptor big) {}

  private Stalled stalledBlob(int times) throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 256);
    push(a, "hello", reg.address(), "r/hello:1", RegistryOptions.defaults());
    Descriptor big = OciContent.manifest(a.blobs(), img.target()).layers().get(1);
    proxy.stallPath = "/blobs/" + big.digest();
    proxy.stallAfter = 1000;
    proxy.stalls.set(times);
    return new Stalled(proxy, a, img, big);
  }

  /** Options whose transfers give up after half a second of silence. */
  private static RegistryOptions impatient() {
    return RegistryOptions.builder().idleTimeout(java.time.Duration.ofMillis(500)).build();
  }

  @Test
  void pull_blobStallingOnce_resumesWithRange() throws Exception {
    Stalled st = stalledBlob(1);
    RegistryProxy proxy = st.proxy();
    Descriptor big = st.big();

    Store b = store("b");
    assertEquals(st.img().digest(),
        pull(b, proxy.address(), "r/hello:1", impatient()).get(0).digest());
    List<RegistryProxy.Seen> gets = proxy.requests("GET", "/blobs/" + big.digest());
    assertEquals(2, gets.size(), gets.toString());
    assertEquals("bytes=1000-", gets.get(1).range());
    assertTrue(b.check().run().isClean());
  }

  @Test
  void pull_blobStallingOnce_registryIgnoringRange_sendsItWhole_andItIsVerifiedWhole()
      throws Exception {
    Stalled st = stalledBlob(1);
    RegistryProxy proxy = st.proxy();
    Store a = st.store();
    Images.ResolvedImage img = st.img();
    Descriptor big = st.big();
    proxy.ignoreRange = true;

    Store b = store("b");
    assertEquals(img.digest(),
        pull(b, proxy.address(), "r/hello:1", impatient()).get(0).digest());
    List<RegistryProxy.Seen> gets = proxy.requests("GET", "/blobs/" + big.digest());
    assertEquals(2, gets.size(), gets.toString());
    assertEquals("bytes=1000-", gets.get(1).range(), "asked for the rest");
    assertEquals(200, gets.get(1).status(), "got the whole");
    assertTrue(b.check().run().isClean());
    assertEquals(a.blobs().list(), b.blobs().list());
  }

  @Test
  void pull_blobAlwaysStalling_failsNamingRegistryPathAndWhatArrived() throws Exception {
    Stalled st = stalledBlob(Integer.MAX_VALUE);
    RegistryProxy proxy = st.proxy();
    Descriptor big = st.big();

    Store b = store("b");
    java.io.IOException e = assertThrows(java.io.IOException.class,
        () -> pull(b, proxy.address(), "r/hello:1", impatient()));
    String m = e.getMessage();
    assertTrue(m.contains("registry " + proxy.address()), m);
    assertTrue(m.contains("GET /v2/r/hello/blobs/" + big.digest()), m);
    // Each try resumed where the last one stopped, and got 1000 bytes more.
    assertTrue(m.contains("received 5000 of " + big.size() + " bytes"), m);
    assertTrue(m.contains("nothing received from 127.0.0.1 for 500 ms"), m);
    assertEquals(List.of(), b.images().list());
  }

  @Test
  void pull_manifestStalling_triedAgain_thenFailsNamingRegistryPathAndWhatArrived()
      throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 4);
    push(a, "hello", reg.address(), "m/hello:1", RegistryOptions.defaults());
    proxy.stallPath = "/manifests/1";
    proxy.stallAfter = 100;
    proxy.stalls.set(1);

    Store b = store("b");
    assertEquals(img.digest(),
        pull(b, proxy.address(), "m/hello:1", impatient()).get(0).digest());

    proxy.stalls.set(Integer.MAX_VALUE);
    Store c = store("c");
    java.io.IOException e = assertThrows(java.io.IOException.class,
        () -> pull(c, proxy.address(), "m/hello:1", impatient()));
    String m = e.getMessage();
    assertTrue(m.contains("registry " + proxy.address() + ": GET /v2/m/hello/manifests/1"), m);
    assertTrue(m.contains("received 100 of " + img.target().size() + " bytes"), m);
    assertTrue(m.contains("nothing received from 127.0.0.1 for 500 ms"), m);
  }

  @Test
  void idleTimeout_fromTheEnvironment() {
    assertEquals(java.time.Duration.ofSeconds(30), RegistryOptions.idleTimeoutFrom(java.util.Map.of()));
    assertEquals(java.time.Duration.ofSeconds(7),
        RegistryOptions.idleTimeoutFrom(java.util.Map.of("LAMINA_REGISTRY_TIMEOUT", "7")));
    assertEquals(java.time.Duration.ofMillis(250),
        RegistryOptions.idleTimeoutFrom(java.util.Map.of("LAMINA_REGISTRY_TIMEOUT", "250ms")));
    assertEquals(java.time.Duration.ofMinutes(2),
        RegistryOptions.idleTimeoutFrom(java.util.Map.of("LAMINA_REGISTRY_TIMEOUT", "2m")));
    assertThrows(IllegalArgumentException.class,
        () -> RegistryOptions.idleTimeoutFrom(java.util.Map.of("LAMINA_REGISTRY_TIMEOUT", "soon")));
  }

  @Test
  void chunkedPush_retriesAFailedChunk_fromTheRegistryOffset() throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    proxy.failPatch = 3;
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 96);
    RegistryOptions chunked = RegistryOptions.builder().chunkSize(32 * 1024).build();
    push(a, "hello", proxy.address(), "c/hello:1", chunked);
    List<RegistryProxy.Seen> patches = proxy.requests("PATCH", "/blobs/uploads/");
    assertTrue(patches.size() > 4, patches.toString());
    assertTrue(patches.stream().anyMatch(s -> s.status() == 503), patches.toString());
    assertFalse(proxy.requests("GET", "/blobs/uploads/").isEmpty(), "asked for the offset");

    Store b = store("b");
    assertEquals(img.digest(),
        pull(b, reg.address(), "c/hello:1", RegistryOptions.defaults()).get(0).digest());
    assertTrue(b.check().run().isClean());
  }

  @Test
  void compressedPush_gzipAndZstd_keepDiffIds_andAreRemembered() throws Exception {
    RegistryServer reg = registry();
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 64);
    ImageConfig config = OciContent.config(a.blobs(), OciContent.manifest(a.blobs(),
        img.target()));
    for (Compression c : List.of(Compression.GZIP, Compression.ZSTD)) {
      List<String> actions = Collections.synchronizedList(new ArrayList<>());
      RegistryOptions o = RegistryOptions.builder().compression(c).progress(
          new TransferProgress() {
            @Override
            public void started(Descriptor blob, String action) {
              actions.add(action);
            }
          }).build();
      String tag = "z/hello:" + c.name().toLowerCase();
      Descriptor pushed = push(a, "hello", reg.address(), tag, o);
      assertNotEquals(img.digest(), pushed.digest());
      assertEquals(2, Collections.frequency(actions, "compressing"));

      Store b = store("b-" + c);
      Images.ResolvedImage got = pull(b, reg.address(), tag, RegistryOptions.defaults()).get(0);
      assertEquals(pushed.digest(), got.digest());
      Manifest m = OciContent.manifest(b.blobs(), got.target());
      for (Descriptor l : m.layers()) {
        assertEquals(c.layerMediaType(), l.mediaType());
      }
      assertEquals(config.diffIds(), OciContent.config(b.blobs(), m).diffIds());
      assertTrue(b.check().run().isClean());

      actions.clear();
      Descriptor again = push(a, "hello", reg.address(), tag + "-again", o);
      assertEquals(pushed.digest(), again.digest());
      assertEquals(0, Collections.frequency(actions, "compressing"), "remembered");
    }
    assertTrue(a.check().run().isClean(), "the cache is not in images/");
  }

  /**
   * A compressed push streams each layer in one PATCH of unknown length (no HEAD first: the
   * compressed digest is unknown until the end); the next push knows it and sends nothing.
   */
  @Test
  void compressedPush_streamsLayers_thenKnowsTheirDigests() throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    Store a = store("a");
    Path big = RandomLayers.tar(work, 12, 50_000, 1);
    Images.ResolvedImage img = TestImages.imageOf(a,
        List.of(TestImages.gnuTarLayer(work, "etc/hello", noise(32)), big), false, "hello");
    RegistryOptions gzip = RegistryOptions.builder().compression(Compression.GZIP).build();
    Descriptor pushed = push(a, "hello", proxy.address(), "s/hello:1", gzip);

    List<RegistryProxy.Seen> patches = proxy.requests("PATCH", "/blobs/uploads/");
    assertEquals(2, patches.size(), patches.toString());
    for (RegistryProxy.Seen p : patches) {
      assertEquals(null, p.contentRange(), "streamed, not a chunk: " + p);
      assertEquals(202, p.status());
    }
    assertEquals(1, proxy.requests("HEAD", "/blobs/").size(), "only the config was asked for");
    Manifest m = OciContent.manifest(a.blobs(), img.target());
    ImageConfig config = OciContent.config(a.blobs(), m);

    proxy.seen.clear();
    Descriptor again = push(a, "hello", proxy.address(), "s/hello:2", gzip);
    assertEquals(pushed.digest(), again.digest());
    assertEquals(3, proxy.requests("HEAD", "/blobs/").size());
    assertEquals(List.of(), proxy.requests("POST", "/blobs/uploads/"), "nothing sent again");

    Store b = store("b");
    Images.ResolvedImage got = pull(b, reg.address(), "s/hello:2", RegistryOptions.defaults())
        .get(0);
    assertEquals(pushed.digest(), got.digest());
    assertEquals(config.diffIds(),
        OciContent.config(b.blobs(), OciContent.manifest(b.blobs(), got.target())).diffIds());
    assertTrue(b.check().run().isClean());
  }

  /**
   * A streamed upload the registry refuses half-way (a 503) cannot be replayed: the layer is
   * compressed into the cache and sent from there, and the push succeeds; chunked, a failed
   * chunk of a streamed layer is resent from the registry's offset.
   */
  @Test
  void compressedPush_failedStream_fallsBack_andChunksRetry() throws Exception {
    RegistryServer reg = registry();
    RegistryProxy proxy = proxy(reg);
    Store a = store("a");
    Path big = RandomLayers.tar(work, 6, 40_000, 2);
    TestImages.imageOf(a, List.of(big), false, "hello");
    proxy.failPatch = 1;
    Descriptor pushed = push(a, "hello", proxy.address(), "f/hello:1",
        RegistryOptions.builder().compression(Compression.GZIP).build());
    List<RegistryProxy.Seen> patches = proxy.requests("PATCH", "/blobs/uploads/");
    assertEquals(503, patches.get(0).status(), patches.toString());
    assertEquals(1, proxy.requests("DELETE", "/blobs/uploads/").size(), "session cancelled");
    Store b = store("b");
    assertEquals(pushed.digest(),
        pull(b, reg.address(), "f/hello:1", RegistryOptions.defaults()).get(0).digest());

    Store c = store("c");
    TestImages.imageOf(c, List.of(big), false, "hello");
    proxy.seen.clear();
    proxy.failPatch = 3;
    proxy.resetPatches();
    Descriptor chunked = push(c, "hello", proxy.address(), "f/hello:2",
        RegistryOptions.builder().compression(Compression.GZIP).chunkSize(32 * 1024).build());
    assertEquals(pushed.digest(), chunked.digest(), "same bytes whichever way they went");
    patches = proxy.requests("PATCH", "/blobs/uploads/");
    assertTrue(patches.size() > 4, patches.toString());
    assertTrue(patches.stream().allMatch(p -> p.status() == 503 || p.contentRange() != null));
    assertEquals(List.of(), proxy.requests("DELETE", "/blobs/uploads/"), "resumed, not restarted");
    Store d = store("d");
    assertEquals(pushed.digest(),
        pull(d, reg.address(), "f/hello:2", RegistryOptions.defaults()).get(0).digest());
    assertTrue(d.check().run().isClean());
  }

  /** A cached compressed layer damaged on disk (it is not synced) is made again, not sent. */
  @Test
  void compressedPush_damagedCacheBlob_isCompressedAgain() throws Exception {
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 48);
    RegistryOptions gzip = RegistryOptions.builder().compression(Compression.GZIP).build();
    RegistryServer first = registry();
    Descriptor pushed = push(a, "hello", first.address(), "c/hello:1", gzip);
    Descriptor layer = OciContent.manifest(a.blobs(), img.target()).layers().get(1);
    CompressedBlobCache cache = CompressedBlobCache.of(a);
    Descriptor cached = cache.find(layer, Compression.GZIP, 6).orElseThrow();
    Path blob = a.cacheDir().resolve("compressed/layout/blobs/sha256/" + cached.digest().hex());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(blob, bytes);

    RegistryServer second = registry();
    assertEquals(pushed.digest(), push(a, "hello", second.address(), "c/hello:1", gzip).digest());
    assertEquals(cached.digest(), Digest.sha256(Files.readAllBytes(blob)), "made again");
    Store b = store("b");
    assertEquals(pushed.digest(),
        pull(b, second.address(), "c/hello:1", RegistryOptions.defaults()).get(0).digest());
  }

  /**
   * A registry on https only (self-signed): refused while certificates are verified, used once
   * they are not; the plain-HTTP probe on loopback finds no registry there and https is used.
   */
  @Test
  void tlsRegistry_selfSigned_refusedVerified_usedUnverified() throws Exception {
    RegistryServer reg = RegistryServer.startTls(Files.createTempDirectory(work, "tls"));
    open.add(reg);
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 300);
    java.io.IOException refused = assertThrows(java.io.IOException.class,
        () -> push(a, "hello", reg.address(), "tls/hello:1", RegistryOptions.defaults()));
    assertTrue(refused.getMessage().contains("certification path")
        || refused.getMessage().contains("PKIX"), refused.getMessage());

    RegistryOptions insecure = RegistryOptions.builder().tlsVerify(false)
        .compression(Compression.GZIP).build();
    Descriptor pushed = push(a, "hello", reg.address(), "tls/hello:1", insecure);
    Store b = store("b");
    Images.ResolvedImage got = pull(b, reg.address(), "tls/hello:1",
        RegistryOptions.builder().tlsVerify(false).build()).get(0);
    assertEquals(pushed.digest(), got.digest());
    assertEquals(OciContent.config(a.blobs(), OciContent.manifest(a.blobs(), img.target()))
            .diffIds(),
        OciContent.config(b.blobs(), OciContent.manifest(b.blobs(), got.target())).diffIds());
    assertTrue(b.check().run().isClean());
  }

  @Test
  void multiPlatformIndex_pushesWhole_pullsOnePlatformOrAll() throws Exception {
    RegistryServer reg = registry();
    Store a = store("a");
    Images.ResolvedImage one = image(a, "one", 4);
    Images.ResolvedImage two = TestImages.image(a, work, "two", "etc/arch", "other\n");
    Platform host = Platform.host();
    Platform other = new Platform(host.architecture().equals("amd64") ? "arm64" : "amd64",
        "linux", null, null, null);
    Index index = Index.of(List.of(one.target().withPlatform(host),
        two.target().withPlatform(other)));
    byte[] bytes = Json.toBytes(index);
    Descriptor idx = a.blobs().put(bytes).descriptor(MediaType.OCI_INDEX);
    a.images().name(idx, List.of("localhost/multi:1"));

    Descriptor pushed = push(a, "multi:1", reg.address(), "m/multi:1",
        RegistryOptions.defaults());
    assertEquals(idx.digest(), pushed.digest());

    Store b = store("b");
    assertEquals(one.digest(),
        pull(b, reg.address(), "m/multi:1", RegistryOptions.defaults()).get(0).digest());
    Store c = store("c");
    assertEquals(two.digest(), pull(c, reg.address(), "m/multi:1",
        RegistryOptions.builder().platform(other).build()).get(0).digest());
    Store d = store("d");
    Images.ResolvedImage all = pull(d, reg.address(), "m/multi:1",
        RegistryOptions.builder().allPlatforms(true).build()).get(0);
    assertEquals(idx.digest(), all.digest());
    assertTrue(d.check().run().isClean());
  }

  @Test
  void pushByDigest_andSeveralTags() throws Exception {
    RegistryServer reg = registry();
    Store a = store("a");
    Images.ResolvedImage img = image(a, "hello", 2);
    push(a, "hello", reg.address(), "d/hello:1",
        RegistryOptions.builder().additionalTags(List.of("2", "latest")).build());
    for (String tag : List.of("1", "2", "latest")) {
      Store b = store("b" + tag);
      assertEquals(img.digest(),
          pull(b, reg.address(), "d/hello:" + tag, RegistryOptions.defaults()).get(0).digest());
    }
    Store byDigest = store("digest");
    IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
        () -> push(a, "hello", reg.address(), "d/hello@" + Digest.sha256("other"),
            RegistryOptions.defaults()));
    assertTrue(noName.getMessage().contains("would have digest"), noName.getMessage());
    List<Images.ResolvedImage> got = ImageTransports.load(byDigest,
        at(reg.address(), "d/hello@" + img.digest()), List.of("localhost/pinned:1"),
        RegistryOptions.defaults());
    assertEquals(img.digest(), got.get(0).digest());
  }
}
