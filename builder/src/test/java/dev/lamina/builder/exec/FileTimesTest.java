package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File times in the layers a build writes, as BuildKit gives them: COPY and ADD keep their
 * sources' times (an archive's, a download's Last-Modified), RUN output keeps the times its
 * commands gave, and SOURCE_DATE_EPOCH (or {@code --reproducible}) clamps them all to the epoch.
 */
class FileTimesTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void copy_keepsTheSourcesTimes_directoriesItCreatesGetTheirOwn() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("f"), "f");
    Files.createDirectories(ctx.resolve("d/sub"));
    Files.writeString(ctx.resolve("d/x"), "x");
    Files.createDirectories(ctx.resolve("d2"));
    Files.writeString(ctx.resolve("d2/y"), "y");
    touch(ctx.resolve("f"), 1_234_567_890);
    touch(ctx.resolve("d/x"), 1_310_000_000);
    touch(ctx.resolve("d/sub"), 1_320_000_000);
    touch(ctx.resolve("d"), 1_300_000_000);
    touch(ctx.resolve("d2/y"), 1_410_000_000);
    touch(ctx.resolve("d2"), 1_400_000_000);
    Store store = Store.open(tmp.resolve("store"));
    long before = Instant.now().getEpochSecond();
    ImageDetails image = build(store, ctx, String.join("\n",
        "FROM scratch",
        "COPY f /f",
        "COPY d /new/parent/d/",
        "COPY d2 /new/parent/d/",
        "COPY <<EOF /inline",
        "text",
        "EOF",
        ""), BuildOptions.builder(ctx));
    long after = Instant.now().getEpochSecond();

    assertEquals(Map.of("f", 1_234_567_890L), layerTimes(store, image, 0));
    Map<String, Long> dir = layerTimes(store, image, 1);
    assertEquals(1_300_000_000L, dir.get("new/parent/d/"), "a new destination takes its source's");
    assertEquals(1_310_000_000L, dir.get("new/parent/d/x"));
    assertEquals(1_320_000_000L, dir.get("new/parent/d/sub/"));
    for (String made : List.of("new/", "new/parent/")) {
      assertBetween(before, after, dir.get(made), made);
    }
    Map<String, Long> into = layerTimes(store, image, 2);
    assertEquals(1_410_000_000L, into.get("new/parent/d/y"));
    assertEquals(1_400_000_000L, into.get("new/parent/d/"),
        "an existing destination takes its source's time, as fsutil restores it");
    assertEquals(dir.get("new/"), into.get("new/"), "existing parents keep theirs");
    assertBetween(before, after, layerTimes(store, image, 3).get("inline"), "inline");
  }

  @Test
  void copy_touchedButUnchangedFile_hitsTheCacheAndKeepsTheCachedTimes() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("f"), "same");
    touch(ctx.resolve("f"), 1_000_000_000);
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY f /f\n";
    ImageDetails first = build(store, ctx, recipe, BuildOptions.builder(ctx));
    touch(ctx.resolve("f"), 1_100_000_000);
    BuildResult again = Builder.build(store,
        BuildOptions.builder(ctx).recipeText(recipe).tag("test").build(), Progress.quiet());

    assertEquals(1, again.cachedSteps());
    assertEquals(first.config().diffIds(), again.config().diffIds());
    assertEquals(Map.of("f", 1_000_000_000L),
        layerTimes(store, store.images().inspect("test"), 0));
  }

  @Test
  void add_archiveKeepsItsTimes_urlTakesLastModified() throws Exception {
    Requirements.tool("tar");
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.createDirectories(tree.resolve("sub"));
    Files.writeString(tree.resolve("sub/file"), "in the archive");
    touch(tree.resolve("sub/file"), 1_111_111_111);
    touch(tree.resolve("sub"), 1_122_222_222);
    touch(tree, 1_133_333_333);
    run("tar", "-C", tree.toString(), "-cf", ctx.resolve("a.tar").toString(), ".");
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/dated.txt", exchange -> {
      exchange.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
      respond(exchange, "dated");
    });
    server.createContext("/undated.txt", exchange -> respond(exchange, "undated"));
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      Store store = Store.open(tmp.resolve("store"));
      ImageDetails image = build(store, ctx, String.join("\n",
          "FROM scratch",
          "ADD a.tar /x/",
          "ADD " + base + "/dated.txt " + base + "/undated.txt /web/",
          ""), BuildOptions.builder(ctx));

      Map<String, Long> archive = layerTimes(store, image, 0);
      assertEquals(1_111_111_111L, archive.get("x/sub/file"), archive.toString());
      assertEquals(1_122_222_222L, archive.get("x/sub/"), archive.toString());
      assertEquals(1_133_333_333L, archive.get("x/"), "the archive's ./ entry");
      Map<String, Long> web = layerTimes(store, image, 1);
      assertEquals(1_445_412_480L, web.get("web/dated.txt"), web.toString());
      assertEquals(0L, web.get("web/undated.txt"), "no Last-Modified: 1970, as BuildKit");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void reproducibleFlag_withoutEpoch_clampsToOneSecondPastTheEpoch() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("f"), "f");
    Store store = Store.open(tmp.resolve("store"));
    ImageDetails image = build(store, ctx, "FROM scratch\nCOPY f /d/f\n",
        BuildOptions.builder(ctx).reproducible(true));

    assertEquals(Map.of("d/", 1L, "d/f", 1L), layerTimes(store, image, 0));
    assertEquals("1970-01-01T00:00:01Z", image.config().created());
  }

  @Test
  void sourceDateEpoch_asAGlobalArgDefault_makesTheBuildReproducible() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("f"), "f");
    touch(ctx.resolve("f"), 90_000);
    Store store = Store.open(tmp.resolve("store"));
    ImageDetails image = build(store, ctx,
        "ARG SOURCE_DATE_EPOCH=86400\nFROM scratch\nCOPY f /d/f\n", BuildOptions.builder(ctx));

    assertEquals(Map.of("d/", 86_400L, "d/f", 86_400L), layerTimes(store, image, 0));
    assertEquals("1970-01-02T00:00:00Z", image.config().created());
  }

  /**
   * What {@code .pyc} files depend on: a tool in one RUN records the times of a COPYed source
   * and of a file it makes (as py_compile records its source's), and the image still has exactly
   * those times. A rebuild that hits the cache everywhere is the same image.
   */
  @Test
  void run_keepsTheTimesItsCommandsGave_soWhatTheyRecordedStaysTrue() throws Exception {
    Store store = busyboxStore();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.createDirectories(ctx.resolve("app"));
    Files.writeString(ctx.resolve("app/src.py"), "print('hi')\n");
    touch(ctx.resolve("app/src.py"), 1_500_000_000);
    String recipe = String.join("\n",
        "FROM busybox",
        "COPY app /app",
        "RUN echo compiled > /app/src.pyc && touch -d @1600000000 /app/old"
            + " && stat -c '%n %Y' /app/src.py /app/src.pyc /app/old > /app/recorded",
        "");
    long before = Instant.now().getEpochSecond();
    ImageDetails image = build(store, ctx, recipe, BuildOptions.builder(ctx));
    long after = Instant.now().getEpochSecond();

    int base = image.manifest().layers().size() - 2;
    Map<String, Long> copied = layerTimes(store, image, base);
    assertEquals(1_500_000_000L, copied.get("app/src.py"), copied.toString());
    Map<String, Long> ran = layerTimes(store, image, base + 1);
    assertEquals(1_600_000_000L, ran.get("app/old"), ran.toString());
    assertBetween(before, after, ran.get("app/src.pyc"), "app/src.pyc");
    Map<String, Long> recorded = new HashMap<>();
    for (String line : layerText(store, image, base + 1, "app/recorded").split("\n")) {
      String[] f = line.split(" ");
      recorded.put(f[0].substring(1), Long.parseLong(f[1]));
    }
    assertEquals(Map.of("app/src.py", copied.get("app/src.py"),
        "app/src.pyc", ran.get("app/src.pyc"), "app/old", ran.get("app/old")), recorded);

    Thread.sleep(1100); // a rebuild a moment later, all of it from the cache
    BuildResult again = Builder.build(store,
        BuildOptions.builder(ctx).recipeText(recipe).tag("test").build(), Progress.quiet());
    assertEquals(2, again.cachedSteps());
    assertEquals(image.image().id(), again.imageId());
  }

  @Test
  void sourceDateEpoch_twoBuildsOnDifferentDays_giveOneImageWithClampedTimes() throws Exception {
    Store first = busyboxStore();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    String recipe = String.join("\n",
        "FROM busybox",
        "COPY a /a",
        "RUN echo made > /made && echo \"$SOURCE_DATE_EPOCH\" > /epoch && touch -d @1000 /old",
        "");
    BuildOptions.Builder epoch = BuildOptions.builder(ctx).sourceDateEpoch("1600000000");
    ImageDetails one = build(first, ctx, recipe, epoch);

    // The next day, on another machine: a fresh checkout and a fresh store.
    touch(ctx.resolve("a"), Instant.now().plus(Duration.ofDays(1)).getEpochSecond());
    Thread.sleep(1100);
    Store second = Store.open(tmp.resolve("second"));
    copyBusybox(first, second);
    ImageDetails two = build(second, ctx, recipe, BuildOptions.builder(ctx)
        .buildArg("SOURCE_DATE_EPOCH", "1600000000"));

    assertEquals(one.image().id(), two.image().id());
    assertEquals("2020-09-13T12:26:40Z", two.config().created());
    int base = two.manifest().layers().size() - 2;
    assertEquals(first.images().inspect("busybox").manifest().layers(),
        two.manifest().layers().subList(0, base), "base layers pass through as they are");
    assertEquals(Map.of("a", 1_600_000_000L), layerTimes(second, two, base));
    Map<String, Long> ran = layerTimes(second, two, base + 1);
    assertEquals(1_600_000_000L, ran.get("made"), ran.toString());
    assertEquals(1_000L, ran.get("old"), "earlier times stay");
    assertEquals("1600000000\n", layerText(second, two, base + 1, "epoch"),
        "RUN sees SOURCE_DATE_EPOCH");
    ImageDetails unclamped = build(second, ctx, recipe, BuildOptions.builder(ctx));
    assertNotEquals(one.image().id(), unclamped.image().id(),
        "without the epoch, the times are the files' own");
  }

  /**
   * A RUN step's upper becomes its layer's extracted directory as the build goes (no second
   * extraction of the blob), and what the next step stacks is what the layer holds: its times in
   * whole seconds, as an extraction of the blob would have set them.
   */
  @Test
  void run_nextStepStacksTheLayerAsItsBlobHoldsIt_withoutExtractingItAgain() throws Exception {
    Store store = busyboxStore();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    ImageDetails image = build(store, ctx, String.join("\n",
        "FROM busybox",
        "RUN mkdir /made && echo made > /made/file && stat -c '%y' /made/file > /made/before",
        "RUN stat -c '%y' /made/file > /seen",
        ""), BuildOptions.builder(ctx));

    var diffIds = image.config().diffIds();
    var extracted = dev.lamina.layerfs.layers.ExtractedLayers.of(store);
    assertTrue(extracted.isExtracted(diffIds.get(diffIds.size() - 1)),
        "the last RUN's upper is its extracted layer, though no step stacked it");
    String before = layerText(store, image, diffIds.size() - 2, "made/before").strip();
    String seen = layerText(store, image, diffIds.size() - 1, "seen").strip();
    assertTrue(seen.matches("\\S+ \\S+\\.000000000 \\S+"), seen);
    assertEquals(before.replaceAll("\\.[0-9]+ ", ".000000000 "), seen);
    var check = extracted.checkedPart(dev.lamina.layerfs.layers.ExtractedLayers.LayerUsers.NONE)
        .check(false);
    assertTrue(check.problems().isEmpty(), check.problems().toString());
  }

  // --- helpers --------------------------------------------------------------------------------

  private ImageDetails build(Store store, Path ctx, String recipe, BuildOptions.Builder options)
      throws Exception {
    Builder.build(store, options.recipeText(recipe).tag("test").build(), Progress.quiet());
    return store.images().inspect("test");
  }

  /** A store holding the busybox sample image, built from its own recipe. */
  private Store busyboxStore() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("tar");
    Path ctx = Files.createDirectories(tmp.resolve("busybox"));
    Path rootfs = tmp.resolve("busybox-rootfs");
    run(Path.of("../samples/busybox/make-rootfs").toAbsolutePath().normalize().toString(),
        rootfs.toString());
    run("tar", "--numeric-owner", "--sort=name", "--mtime=@0", "-C", rootfs.toString(), "-cf",
        ctx.resolve("rootfs.tar").toString(), ".");
    Store store = Store.open(tmp.resolve("first"));
    buildBusybox(store);
    return store;
  }

  /** The same busybox image in another store (its archive's times are all 1970). */
  private void copyBusybox(Store from, Store to) throws Exception {
    buildBusybox(to);
    assertEquals(from.images().inspect("busybox").image().id(),
        to.images().inspect("busybox").image().id());
  }

  private void buildBusybox(Store store) throws Exception {
    Builder.build(store, BuildOptions.builder(tmp.resolve("busybox"))
        .recipeFile(Path.of("../samples/busybox/Containerfile").toAbsolutePath().normalize())
        .sourceDateEpoch("0").tag("busybox").build(), Progress.quiet());
  }

  /** Each entry's modification time in layer {@code index} of the image, by name. */
  private static Map<String, Long> layerTimes(Store store, ImageDetails image, int index)
      throws IOException {
    Map<String, Long> times = new TreeMap<>();
    try (TarArchiveInputStream in = layer(store, image, index)) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        times.put(e.getName(), e.getModTime().toInstant().getEpochSecond());
      }
    }
    return times;
  }

  private static String layerText(Store store, ImageDetails image, int index, String name)
      throws IOException {
    try (TarArchiveInputStream in = layer(store, image, index)) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals(name)) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    throw new AssertionError("no " + name + " in layer " + index);
  }

  private static TarArchiveInputStream layer(Store store, ImageDetails image, int index)
      throws IOException {
    Descriptor d = image.manifest().layers().get(index);
    InputStream blob = store.blobs().open(d.digest(), d.size());
    return new TarArchiveInputStream(blob);
  }

  private static void touch(Path p, long seconds) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(seconds)));
  }

  private static void assertBetween(long from, long to, Long value, String what) {
    assertTrue(value != null && value >= from && value <= to,
        what + ": " + value + " not in [" + from + ", " + to + "]");
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    if (p.waitFor() != 0) {
      fail(String.join(" ", command) + ":\n" + out.toString(StandardCharsets.UTF_8));
    }
  }
}
