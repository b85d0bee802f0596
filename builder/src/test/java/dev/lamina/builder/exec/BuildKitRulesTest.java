package dev.lamina.builder.exec;

import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules of BuildKit's Dockerfile frontend, file operations and context transfer that a recipe can
 * tell apart, each checked on real builds: where BuildKit's source decides, so does the test.
 */
class BuildKitRulesTest {
  @TempDir Path tmp;

  private Store store;

  private Path context() throws IOException {
    return Files.createDirectories(tmp.resolve("ctx"));
  }

  private ImageDetails build(Path context, String recipe) throws Exception {
    if (store == null) {
      store = Store.open(tmp.resolve("store"));
    }
    Builder.build(
        store,
        BuildOptions.builder(context).recipeText(recipe).tag("test").build(),
        Progress.quiet());
    return store.images().inspect("test");
  }

  /** Layer {@code i} of the image, extracted (overlay format). */
  private Path layer(ImageDetails d, int i) throws IOException {
    return ExtractedLayers.of(store)
        .ensure(d.manifest().layers().get(i), d.config().diffIds().get(i));
  }

  // dockerfile2llb image.go emptyImage: Config.WorkingDir = "/".
  @Test
  void scratch_startsInTheRootDirectory() throws Exception {
    ImageDetails d = build(context(), "FROM scratch\n");
    assertEquals("/", d.config().config().workingDir());
  }

  // util/system/path.go NormalizePath: an absolute path is returned as written.
  @Test
  void workdir_absoluteKeptAsWritten_relativeJoinedToItAndCleaned() throws Exception {
    Path ctx = context();
    Files.writeString(ctx.resolve("f"), "f");
    ImageDetails d = build(ctx, String.join("\n",
        "FROM scratch",
        "WORKDIR /tmp/",
        "WORKDIR sub/../x/",
        "WORKDIR /a/../b",
        "COPY f rel",
        ""));
    assertEquals("/a/../b", d.config().config().workingDir());
    List<String> history = d.config().history().stream()
        .map(ImageConfig.History::createdBy).toList();
    assertTrue(history.contains("WORKDIR /tmp/"), history.toString());
    assertTrue(history.contains("WORKDIR /tmp/x"), history.toString());
    assertTrue(Files.isDirectory(layer(d, 0).resolve("tmp")));
    assertTrue(Files.isDirectory(layer(d, 1).resolve("tmp/x")));
    Path made = layer(d, 2);
    assertTrue(Files.isDirectory(made.resolve("b")), "the directory made is the cleaned path");
    assertFalse(Files.exists(made.resolve("a")));
    assertEquals("f", Files.readString(layer(d, 3).resolve("b/rel")));
  }

  // fsutil stat_unix.go loadXattr (context transfer), copy/copy.go copyXAttrs (COPY --from).
  @Test
  void copy_keepsTheXattrsOfContextFiles_andCopyFromKeepsThem() throws Exception {
    Path ctx = context();
    Path f = Files.writeString(ctx.resolve("f"), "f");
    Path dir = Files.createDirectories(ctx.resolve("d"));
    Path g = Files.writeString(dir.resolve("g"), "g");
    try {
      Posix.lsetxattr(f, "user.a", bytes("test"));
    } catch (IOException e) {
      Requirements.require(false, "user xattrs on " + tmp + " (" + e.getMessage() + ")");
    }
    Posix.lsetxattr(dir, "user.d", bytes("dir"));
    Posix.lsetxattr(g, "user.g", bytes("below"));
    ImageDetails d = build(ctx, String.join("\n",
        "FROM scratch AS stage",
        "COPY f /f",
        "COPY d /d",
        "FROM scratch",
        "COPY --from=stage /f /from-stage",
        "COPY --from=stage /d /d2",
        "ADD f /added",
        "COPY d /d3",
        ""));
    assertXattr(layer(d, 0).resolve("from-stage"), "user.a", "test");
    assertXattr(layer(d, 1).resolve("d2"), "user.d", "dir");
    assertXattr(layer(d, 1).resolve("d2/g"), "user.g", "below");
    assertXattr(layer(d, 2).resolve("added"), "user.a", "test");
    assertXattr(layer(d, 3).resolve("d3/g"), "user.g", "below");
  }

  // moby/go-archive Unpack: "." is skipped, what is in the way is removed, owners from headers;
  // buildkit solver/llbsolver/file/unpack.go isArchivePath: one tar header read is enough.
  @Test
  void add_localTar_rootEntryNamesReplacementsAndOwners() throws Exception {
    Requirements.root();
    Path ctx = context();
    Files.write(ctx.resolve("empty-root.tar"), tar()
        .dir("")
        .add(fileEntry("a", "A").owner(1234, 5678))
        .bytes());
    Files.write(ctx.resolve("dot-root.tar"), tar()
        .dir("./")
        .dir("new-directory/")
        .file("new-directory/x", "x")
        .file("was-dir", "a file now")
        .bytes());
    Files.createDirectories(ctx.resolve("base/was-dir/below"));
    Files.writeString(ctx.resolve("base/new-directory"), "a file");
    ImageDetails d = build(ctx, String.join("\n",
        "FROM scratch",
        "COPY base/ /",
        "ADD empty-root.tar /one/",
        "ADD dot-root.tar /",
        "ADD --chmod=0600 empty-root.tar /two/",
        ""));
    Path one = layer(d, 1);
    assertFalse(Files.exists(one.resolve("one/empty-root.tar")), "recognised as a tar");
    assertEquals("A", Files.readString(one.resolve("one/a")));
    FileStat a = Posix.lstat(one.resolve("one/a"));
    assertEquals(1234, a.uid());
    assertEquals(5678, a.gid());
    Path two = layer(d, 2);
    assertTrue(Files.isDirectory(two.resolve("new-directory"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("x", Files.readString(two.resolve("new-directory/x")));
    assertEquals("a file now", Files.readString(two.resolve("was-dir")));
    assertEquals(0644, Posix.lstat(layer(d, 3).resolve("two/a")).permissions(),
        "unpacking takes no --chmod");
    Path merged = Files.createDirectories(tmp.resolve("merged"));
    for (int i = 0; i < d.manifest().layers().size(); i++) {
      ExtractedLayers.of(store)
          .applyOnto(d.manifest().layers().get(i), d.config().diffIds().get(i), merged);
    }
    assertEquals("a file now", Files.readString(merged.resolve("was-dir")));
    assertEquals("x", Files.readString(merged.resolve("new-directory/x")));
  }

  // moby/go-archive Unpack: resolveArchivePath follows the destination's symlinks for parents,
  // createImpliedDirectories makes only what is missing (ImpliedDirectoryMode 0755).
  @Test
  void add_localTar_impliedParentsAreTheDestinationsOwn() throws Exception {
    Path ctx = context();
    Files.write(ctx.resolve("implied.tar"), tar()
        .file("tmp/x", "x")
        .file("lib/y", "y")
        .file("fresh/z", "z")
        .bytes());
    Posix.chmod(Files.createDirectories(ctx.resolve("base/tmp")), 01777);
    Files.createDirectories(ctx.resolve("base/usr/lib"));
    Files.createSymbolicLink(ctx.resolve("base/lib"), Path.of("usr/lib"));
    ImageDetails d = build(ctx, "FROM scratch\nCOPY base/ /\nADD implied.tar /\n");
    Path added = layer(d, 1);
    assertEquals(01777, Posix.lstat(added.resolve("tmp")).permissions(), "kept as it is");
    assertEquals("x", Files.readString(added.resolve("tmp/x")));
    assertEquals("y", Files.readString(added.resolve("usr/lib/y")), "through lib -> usr/lib");
    assertFalse(Files.exists(added.resolve("lib"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(0755, Posix.lstat(added.resolve("fresh")).permissions());
    assertEquals("z", Files.readString(added.resolve("fresh/z")));
  }

  // Go's archive/tar hands a 'g' header to moby's Unpack, which skips it.
  @Test
  void add_tarWithPaxGlobalHeader_ignoresAComment_refusesAPath() throws Exception {
    Path ctx = context();
    Files.write(ctx.resolve("commented.tar"), tar()
        .globalPax("pax_global_header", Map.of("globexthdr.comment", "made by GNU tar"))
        .file("c", "c")
        .bytes());
    Files.write(ctx.resolve("renaming.tar"), tar()
        .globalPax("pax_global_header", Map.of("path", "elsewhere"))
        .file("r", "r")
        .bytes());
    ImageDetails d = build(ctx, "FROM scratch\nADD commented.tar /t/\n");
    assertEquals("c", Files.readString(layer(d, 0).resolve("t/c")));
    BuildException e = assertThrows(BuildException.class,
        () -> build(ctx, "FROM scratch\nADD renaming.tar /t/\n"));
    assertTrue(e.getMessage().contains("a PAX global header sets 'path'"), e.getMessage());
  }

  // fsutil filter.go: an excluded directory is sent as the parent of what is sent below it.
  @Test
  void ignoreFile_reincludedFileKeepsItsExcludedParentDirectory() throws Exception {
    Path ctx = context();
    Files.createDirectories(ctx.resolve("folder1"));
    Files.createDirectories(ctx.resolve("folder2"));
    Files.writeString(ctx.resolve("folder1/file1"), "1");
    Files.writeString(ctx.resolve("folder1/file2"), "2");
    Files.writeString(ctx.resolve("folder2/file3"), "3");
    Files.writeString(ctx.resolve(".dockerignore"), "**\n!folder1/file1\n");
    ImageDetails d = build(ctx, "FROM scratch\nADD folder1 /f1\nCOPY fold* /all/\n");
    assertEquals("1", Files.readString(layer(d, 0).resolve("f1/file1")));
    assertFalse(Files.exists(layer(d, 0).resolve("f1/file2")));
    assertEquals("1", Files.readString(layer(d, 1).resolve("all/file1")));
    assertFalse(Files.exists(layer(d, 1).resolve("all/file3")));
    BuildException e = assertThrows(BuildException.class,
        () -> build(ctx, "FROM scratch\nCOPY folder2 /f2\n"));
    assertTrue(e.getMessage().startsWith("Dockerfile:2: COPY: \"/folder2\" in the build context"),
        e.getMessage());
  }

  // fsutil copy/copy.go ensureEmptyFileTarget.
  @Test
  void copy_symlinkOntoAnExistingDirectoryFails() throws Exception {
    Path ctx = context();
    Files.createDirectories(ctx.resolve("tree2/x"));
    Files.writeString(ctx.resolve("tree2/x/y"), "y");
    Files.createDirectories(ctx.resolve("tree1"));
    Files.createSymbolicLink(ctx.resolve("tree1/x"), Path.of("elsewhere"));
    BuildException e = assertThrows(BuildException.class,
        () -> build(ctx, "FROM scratch\nCOPY tree2/ /\nCOPY tree1/ /\n"));
    assertTrue(e.getMessage().startsWith("Dockerfile:3: COPY: "), e.getMessage());
    assertTrue(e.getMessage().contains("cannot replace to directory /x with file"),
        e.getMessage());
  }

  // solver/llbsolver/file/backend.go docopy: AllowEmptyWildcard returns before copying.
  @Test
  void copy_wildcardMatchingNothing_addsNothingNotEvenTheDestination() throws Exception {
    Path ctx = context();
    ImageDetails d = build(ctx, "FROM scratch\nCOPY missing* dir/\n");
    assertFalse(Files.exists(layer(d, 0).resolve("dir"), LinkOption.NOFOLLOW_LINKS));
  }

  // dockerfile2llb convert_runmount.go setCacheUIDGID, mounts/mount.go getRefCacheDir (key).
  @Test
  void cacheMount_withUidGidOrModeIsACacheOfItsOwn() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Path busybox = Path.of("/bin/busybox");
    Requirements.require(Files.isExecutable(busybox), "a static /bin/busybox (busybox-static)");
    Path ctx = context();
    Files.copy(busybox, ctx.resolve("sh"));
    ImageDetails d = build(ctx, String.join("\n",
        "FROM scratch",
        "COPY sh /bin/sh",
        "RUN --mount=type=cache,target=/c echo plain > /c/who",
        "RUN --mount=type=cache,target=/c,uid=1000 echo owned > /c/who",
        "RUN --mount=type=cache,target=/c read x < /c/who; echo $x > /plain-sees",
        "RUN --mount=type=cache,target=/c,uid=1000 read x < /c/who; echo $x > /owned-sees",
        ""));
    assertEquals("plain\n", Files.readString(layer(d, 3).resolve("plain-sees")));
    assertEquals("owned\n", Files.readString(layer(d, 4).resolve("owned-sees")));
  }

  private static void assertXattr(Path file, String name, String value) throws IOException {
    Optional<byte[]> got = Posix.lgetxattr(file, name);
    assertTrue(got.isPresent(), name + " on " + file);
    assertArrayEquals(bytes(value), got.get(), name + " on " + file);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
