package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.RawNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds real recipes into a real store and checks the files of the layers and the config. */
class BuildSemanticsTest {
  @TempDir Path tmp;

  private BuildResult build(Store store, Path context, String recipe) throws Exception {
    return Builder.build(
        store,
        BuildOptions.builder(context).recipeText(recipe).tag("test").build(),
        Progress.quiet());
  }

  /** The top layer of an image, extracted (overlay format). */
  private Path topLayer(Store store) throws IOException {
    ImageDetails d = store.images().inspect("test");
    int n = d.manifest().layers().size();
    return ExtractedLayers.of(store)
        .ensure(d.manifest().layers().get(n - 1), d.config().diffIds().get(n - 1));
  }

  /**
   * Stages that copy from each other are refused before anything is built, naming the stage where
   * the circle closes; a stage that several others need, directly and through each other, is
   * built before them, and each gets what it copied.
   */
  @Test
  void stageGraph_circleRefused_sharedStageBuiltOnceFirst() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("f"), "f");
    Store store = Store.open(tmp.resolve("store"));

    BuildException circle = assertThrows(BuildException.class, () -> build(store, ctx,
        "FROM scratch AS one\nCOPY --from=two /f /f\n"
            + "FROM scratch AS two\nCOPY --from=one /f /f\n"));
    assertEquals("circular dependency between stages at stage two", circle.getMessage());

    build(store, ctx, "FROM scratch AS base\nCOPY f /f\n"
        + "FROM base AS mid\nCOPY --from=base /f /g\n"
        + "FROM scratch AS last\nCOPY --from=mid /g /b\n"
        + "FROM last\nCOPY --from=0 /f /c\n");
    assertEquals("f", Files.readString(topLayer(store).resolve("c")));
    ImageDetails d = store.images().inspect("test");
    assertEquals(2, d.manifest().layers().size()); // the layers of last, then its own
  }

  /**
   * Names that are not UTF-8 in the build context keep their bytes through COPY, also where an
   * ignore file excludes such a directory and re-includes a file below it.
   */
  @Test
  void copy_namesThatAreNotUtf8_keepTheirBytes_throughIgnoreRules() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Path files = Files.createDirectories(ctx.resolve("files"));
    RawNames.create(files);
    RawNames.sh("d=\"$1/skip$(printf '\\377')\"; mkdir \"$d\" && printf k > \"$d/keep\""
        + " && printf x > \"$d/drop\"", files.toString());
    Files.writeString(ctx.resolve(".dockerignore"), "files/skip*\n!files/skip*/keep\n");
    Store store = Store.open(tmp.resolve("store"));
    build(store, ctx, "FROM scratch\nCOPY files /files\n");
    TreeMap<String, String> expected = RawNames.expected();
    expected.put(RawNames.hex("skip\\377"), "");
    expected.put(RawNames.hex("skip\\377/keep"), "k");
    assertEquals(expected, RawNames.list(topLayer(store).resolve("files")));
  }

  @Test
  void copy_directoryContentsTrailingSlashWildcardsChmodChown() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.createDirectories(ctx.resolve("src/sub"));
    Files.writeString(ctx.resolve("src/a.txt"), "a");
    Files.writeString(ctx.resolve("src/sub/b.txt"), "b");
    Files.writeString(ctx.resolve("one.md"), "1");
    Files.writeString(ctx.resolve("two.md"), "2");
    Files.writeString(ctx.resolve("ignored.log"), "x");
    Files.writeString(ctx.resolve(".dockerignore"), "*.log\n");
    Store store = Store.open(tmp.resolve("store"));
    build(store, ctx, String.join("\n",
        "FROM scratch",
        "COPY src /dst",
        "COPY *.md /docs/",
        "COPY --chmod=0600 --chown=7:8 one.md /file",
        "COPY *.log /logs/",
        "WORKDIR /w",
        "COPY one.md rel"));
    ImageDetails d = store.images().inspect("test");
    ExtractedLayers ex = ExtractedLayers.of(store);
    Path l1 = ex.ensure(d.manifest().layers().get(0), d.config().diffIds().get(0));
    assertEquals("a", Files.readString(l1.resolve("dst/a.txt")));
    assertEquals("b", Files.readString(l1.resolve("dst/sub/b.txt")));
    assertFalse(Files.exists(l1.resolve("dst/src")), "a directory's contents are copied");
    assertEquals(0, Posix.lstat(l1.resolve("dst/a.txt")).uid(), "context files are root's");
    Path l2 = ex.ensure(d.manifest().layers().get(1), d.config().diffIds().get(1));
    assertTrue(Files.exists(l2.resolve("docs/one.md")));
    assertTrue(Files.exists(l2.resolve("docs/two.md")));
    Path l3 = ex.ensure(d.manifest().layers().get(2), d.config().diffIds().get(2));
    FileStat f = Posix.lstat(l3.resolve("file"));
    assertEquals(0600, f.permissions());
    assertEquals(7, f.uid());
    assertEquals(8, f.gid());
    Path l4 = ex.ensure(d.manifest().layers().get(3), d.config().diffIds().get(3));
    assertFalse(Files.exists(l4.resolve("logs")),
        "ignored files are invisible, and wildcards that match nothing add nothing");
    Path l6 = topLayer(store);
    assertEquals("1", Files.readString(l6.resolve("w/rel")), "relative to WORKDIR");
  }

  @Test
  void config_cmdEntrypointMatrixLabelsExposeEnv() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Store store = Store.open(tmp.resolve("store"));
    build(store, ctx, String.join("\n",
        "FROM scratch AS base",
        "CMD [\"base\"]",
        "LABEL a=1 b=\"two words\"",
        "FROM base",
        "ENTRYPOINT [\"/bin/app\"]",
        "EXPOSE 80 53/udp 8000-8001",
        "ENV X=1 Y=$X",
        "STOPSIGNAL SIGTERM",
        "SHELL [\"/bin/bash\", \"-c\"]",
        "HEALTHCHECK --interval=5s CMD check",
        "ONBUILD RUN echo later"));
    ImageConfig config = store.images().inspect("test").config();
    ContainerConfig c = config.config();
    assertNull(c.cmd(), "ENTRYPOINT resets an inherited CMD");
    assertEquals(List.of("/bin/app"), c.entrypoint());
    assertEquals(Map.of("a", "1", "b", "two words"), c.labels());
    assertEquals(List.of("53/udp", "80/tcp", "8000/tcp", "8001/tcp"),
        List.copyOf(c.exposedPorts().keySet()));
    assertTrue(c.env().contains("X=1"));
    assertTrue(c.env().contains("Y="), "expanded against the variables before the ENV");
    assertTrue(c.env().get(0).startsWith("PATH="), "a default PATH is added");
    assertEquals(List.of("CMD-SHELL", "check"), c.healthcheck().test());
    assertEquals(5_000_000_000L, c.healthcheck().interval());
    assertEquals(List.of("RUN echo later"), c.onBuild());
    assertTrue(config.history().stream().allMatch(h -> h.isEmptyLayer()));
  }

  @Test
  void onbuildTriggers_areLabelledWithTheirInstruction_asBuildKitLabelsThem() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a.txt"), "a");
    Store store = Store.open(tmp.resolve("store"));
    Builder.build(store, BuildOptions.builder(ctx).tag("rw-base")
        .recipeText("FROM scratch\nONBUILD COPY a.txt /from-image\n").build(), Progress.quiet());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Builder.build(store, BuildOptions.builder(ctx).tag("test").recipeText(String.join("\n",
            "FROM scratch AS stage",
            "ONBUILD copy a.txt /from-stage",
            "FROM stage AS second",
            "COPY a.txt /own",
            "FROM rw-base",
            "COPY a.txt /b",
            "COPY --from=second /own /own",
            "")).build(),
        Progress.plain(new PrintStream(out, true, StandardCharsets.UTF_8)));
    List<String> steps = out.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.matches("#\\d+ \\[.*")).map(l -> l.substring(l.indexOf('['))).toList();
    assertTrue(steps.contains("[second 1/2] ONBUILD COPY a.txt /from-stage"), steps.toString());
    assertTrue(steps.contains("[second 2/2] COPY a.txt /own"), steps.toString());
    assertTrue(steps.contains("[stage-2 2/4] ONBUILD COPY a.txt /from-image"),
        steps.toString());
    assertTrue(steps.contains("[stage-2 4/4] COPY --from=second /own /own"), steps.toString());
    assertEquals(1, steps.stream().filter(l -> l.contains("FROM rw-base")).count(),
        steps.toString());
  }

  @Test
  void onbuildTriggerErrors_areLocatedAtTheStagesFrom() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Store store = Store.open(tmp.resolve("store"));
    Builder.build(store, BuildOptions.builder(ctx).tag("rw-base")
        .recipeText("FROM scratch\nONBUILD COPY missing.txt /x\n").build(), Progress.quiet());
    BuildException e = assertThrows(BuildException.class, () -> Builder.build(store,
        BuildOptions.builder(ctx).tag("test").recipeText("# a comment\n\nFROM rw-base\n")
            .build(), Progress.quiet()));
    assertTrue(e.getMessage().startsWith("Dockerfile:3: ONBUILD COPY: "), e.getMessage());
  }

  @Test
  void cache_unchangedContextHitsEveryStep_changedFileRebuildsOnlyItsSteps() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    Files.writeString(ctx.resolve("b"), "b");
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY a /a\nCOPY b /b\n";
    BuildResult first = build(store, ctx, recipe);
    assertEquals(0, first.cachedSteps());
    BuildResult second = build(store, ctx, recipe);
    assertEquals(2, second.cachedSteps());
    assertEquals(first.config().diffIds(), second.config().diffIds());
    Files.writeString(ctx.resolve("b"), "B");
    BuildResult third = build(store, ctx, recipe);
    assertEquals(1, third.cachedSteps(), "only COPY b reruns");
  }

  @Test
  void reproducible_sameEpochSameDigestOnAnotherStore() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    String recipe = "FROM scratch\nCOPY a /a\nENV A=1\n";
    BuildOptions o = BuildOptions.builder(ctx).recipeText(recipe).sourceDateEpoch("1700000000")
        .build();
    BuildResult one = Builder.build(Store.open(tmp.resolve("s1")), o, Progress.quiet());
    // The same source checked out a day later: its time differs, but is after the epoch.
    Files.setLastModifiedTime(ctx.resolve("a"), java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().plus(java.time.Duration.ofDays(1))));
    BuildResult two = Builder.build(Store.open(tmp.resolve("s2")), o, Progress.quiet());
    assertEquals(one.manifestDigest(), two.manifestDigest());
  }

  @Test
  void errors_missingSourceAndForeignPlatform() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Store store = Store.open(tmp.resolve("store"));
    BuildException missing = assertThrows(BuildException.class,
        () -> build(store, ctx, "FROM scratch\nCOPY nope /x\n"));
    assertTrue(
        missing.getMessage()
            .startsWith("Dockerfile:2: COPY: \"/nope\" in the build context: not found"),
        missing.getMessage());
    BuildOptions foreign = BuildOptions.builder(ctx).recipeText("FROM scratch\n")
        .platform("linux/s390x").build();
    assertThrows(BuildException.class, () -> Builder.build(store, foreign, Progress.quiet()));
    assertFalse(Files.exists(ctx.resolve("x"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void chown_nameWithoutGroupTakesThePrimaryGroup_idWithoutGroupTakesTheId() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.createDirectories(ctx.resolve("etc"));
    Files.writeString(ctx.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n"
        + "app:x:1000:2000::/home/app:/bin/sh\n");
    Files.writeString(ctx.resolve("etc/group"), "root:x:0:\nstaff:x:2000:\nother:x:3000:\n");
    Files.writeString(ctx.resolve("f"), "f");
    Store store = Store.open(tmp.resolve("store"));
    build(store, ctx, String.join("\n",
        "FROM scratch",
        "COPY etc /etc",
        "COPY --chown=app f /by-name",
        "COPY --chown=1000 f /by-id",
        "COPY --chown=app:other f /by-name-and-group",
        "USER app",
        "WORKDIR /home/app/work"));
    ImageDetails d = store.images().inspect("test");
    ExtractedLayers ex = ExtractedLayers.of(store);
    int[][] want = {{1000, 2000}, {1000, 1000}, {1000, 3000}};
    String[] files = {"by-name", "by-id", "by-name-and-group"};
    for (int i = 0; i < 3; i++) {
      Path layer = ex.ensure(d.manifest().layers().get(i + 1), d.config().diffIds().get(i + 1));
      FileStat st = Posix.lstat(layer.resolve(files[i]));
      assertEquals(want[i][0], st.uid(), files[i]);
      assertEquals(want[i][1], st.gid(), files[i]);
    }
    FileStat work = Posix.lstat(topLayer(store).resolve("home/app/work"));
    assertEquals(1000, work.uid(), "WORKDIR creates its directory as USER");
    assertEquals(2000, work.gid());
  }
}
