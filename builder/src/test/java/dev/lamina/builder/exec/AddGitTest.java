package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.git.GitServer;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD of git repositories, built for real from repositories served on 127.0.0.1 over git's dumb
 * HTTP protocol: refs, subdirectories, {@code --keep-git-dir}, the cache keyed by commit, and
 * the refusals that keep a recipe from reaching the host through git.
 */
class AddGitTest {
  @TempDir Path tmp;
  private GitServer server;
  private GitServer.Repo repo;
  private Path ctx;
  private Store store;
  private String first;
  private String second;

  @BeforeEach
  void repository() throws Exception {
    server = GitServer.start(tmp.resolve("git"));
    repo = server.create("repo");
    repo.write("a", "one\n").write("sub/s", "in sub\n").write("sub/deep/d", "deep\n");
    Files.setPosixFilePermissions(repo.work().resolve("sub/s"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(repo.work().resolve("link"), Path.of("a"));
    first = repo.commit("first");
    repo.git("tag", "-a", "v1", "-m", "version 1");
    repo.git("tag", "light");
    repo.write("a", "two\n");
    second = repo.commit("second");
    ctx = Files.createDirectories(tmp.resolve("ctx"));
    store = Store.open(tmp.resolve("store"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private BuildResult build(String... lines) throws Exception {
    return build(store, null, lines);
  }

  private BuildResult build(Store into, String epoch, String... lines) throws Exception {
    return Builder.build(
        into,
        BuildOptions.builder(ctx).recipeText(String.join("\n", lines) + "\n").tag("test")
            .sourceDateEpoch(epoch).build(),
        Progress.quiet());
  }

  private String failure(String... lines) {
    BuildException e = assertThrows(BuildException.class, () -> build(lines));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  /** Layer {@code index} of the image, extracted. */
  private Path layer(int index) throws IOException {
    ImageDetails d = store.images().inspect("test");
    return ExtractedLayers.of(store)
        .ensure(d.manifest().layers().get(index), d.config().diffIds().get(index));
  }

  @Test
  void refs_defaultBranchBranchTagsAndCommit() throws Exception {
    String url = server.url("repo");
    build("FROM scratch",
        "ADD " + url + " /default",
        "ADD " + url + "#main /branch",
        "ADD " + url + "#v1 /annotated",
        "ADD " + url + "#light /light",
        "ADD " + url + "#" + first + " /commit");
    assertEquals("two\n", Files.readString(layer(0).resolve("default/a")));
    assertEquals("two\n", Files.readString(layer(1).resolve("branch/a")));
    assertEquals("one\n", Files.readString(layer(2).resolve("annotated/a")));
    assertEquals("one\n", Files.readString(layer(3).resolve("light/a")));
    Path commit = layer(4).resolve("commit");
    assertEquals("one\n", Files.readString(commit.resolve("a")));
    assertEquals("in sub\n", Files.readString(commit.resolve("sub/s")));
    assertEquals("a", Files.readSymbolicLink(commit.resolve("link")).toString());
    assertFalse(Files.exists(commit.resolve(".git")), ".git is left out");
    assertEquals(0755, Posix.lstat(commit).permissions(), "the destination directory");
    FileStat a = Posix.lstat(commit.resolve("a"));
    assertEquals(0644, a.permissions());
    assertEquals(0, a.uid());
    assertEquals(0, a.gid());
    assertEquals(0755, Posix.lstat(commit.resolve("sub/s")).permissions());
    assertEquals(0755, Posix.lstat(commit.resolve("sub/deep")).permissions());
    List<ImageConfig.History> history = store.images().inspect("test").config().history();
    assertEquals("ADD " + url + "#v1 /annotated", history.get(2).createdBy());
  }

  @Test
  void subdirChownChmodExclude() throws Exception {
    build("FROM scratch",
        "ADD --chown=7:8 --chmod=0640 --exclude=deep " + server.url("repo") + "#main:sub /s");
    Path s = layer(0).resolve("s");
    assertEquals("in sub\n", Files.readString(s.resolve("s")));
    assertFalse(Files.exists(s.resolve("a")), "only the subdirectory's contents");
    assertFalse(Files.exists(s.resolve("deep")), "--exclude applies");
    FileStat st = Posix.lstat(s.resolve("s"));
    assertEquals(0640, st.permissions());
    assertEquals(7, st.uid());
    assertEquals(8, st.gid());
  }

  @Test
  void keepGitDir_aWorkingRepositoryWithoutTheUrlsSecret() throws Exception {
    String url = server.url("repo", "user:s3cret");
    build("FROM scratch", "ADD --keep-git-dir=true " + url + "#main /r");
    Path r = layer(0).resolve("r");
    assertTrue(Files.isDirectory(r.resolve(".git")));
    String gitDir = "--git-dir=" + r.resolve(".git");
    String workTree = "--work-tree=" + r;
    assertEquals(second, GitServer.git(r, gitDir, "rev-parse", "HEAD").strip());
    assertEquals("", GitServer.git(r, gitDir, workTree, "status", "--porcelain").strip(),
        "the work tree is the commit's");
    assertEquals(server.url("repo", "user:xxxxx"),
        GitServer.git(r, gitDir, "config", "remote.origin.url").strip());
    assertFalse(contains(r.resolve(".git"), "s3cret"), "no secret in .git");
    assertFalse(contains(store.root(), "s3cret"), "no secret in the store (cache, history)");
  }

  @Test
  void keepGitDir_withSubdir_keepsNone() throws Exception {
    build("FROM scratch", "ADD --keep-git-dir " + server.url("repo") + "#main:sub /s");
    assertFalse(Files.exists(layer(0).resolve("s/.git")));
  }

  @Test
  void cache_sameCommitHits_newCommitMisses() throws Exception {
    String[] recipe = {"FROM scratch", "ADD " + server.url("repo") + "#main /r"};
    BuildResult built = build(recipe);
    BuildResult again = build(recipe);
    assertEquals(1, again.cachedSteps(), "the branch still names the same commit");
    assertEquals(built.config().diffIds(), again.config().diffIds());
    repo.write("a", "three\n");
    repo.commit("third");
    BuildResult moved = build(recipe);
    assertEquals(0, moved.cachedSteps(), "the branch moved");
    assertNotEquals(built.config().diffIds(), moved.config().diffIds());
    assertEquals("three\n", Files.readString(layer(0).resolve("r/a")));
  }

  @Test
  void reproducible_sameEpochSameDigestOnAnotherStore() throws Exception {
    String[] recipe = {"FROM scratch", "ADD --keep-git-dir " + server.url("repo") + "#v1 /r"};
    BuildResult one = build(Store.open(tmp.resolve("s1")), "1700000000", recipe);
    BuildResult two = build(Store.open(tmp.resolve("s2")), "1700000000", recipe);
    assertEquals(one.manifestDigest(), two.manifestDigest());
  }

  @Test
  void checksum_aPrefixOfTheCommitOrTag() throws Exception {
    String url = server.url("repo");
    build("FROM scratch", "ADD --checksum=" + first.substring(0, 12) + " " + url + "#v1 /r");
    assertEquals("one\n", Files.readString(layer(0).resolve("r/a")));
    String wrong = failure("FROM scratch", "ADD --checksum=" + first + " " + url + "#main /r");
    assertTrue(wrong.contains("expected checksum to match " + first + ", got " + second), wrong);
    String garbage = failure("FROM scratch", "ADD --checksum=nothex " + url + " /r");
    assertTrue(garbage.contains("invalid checksum nothex"), garbage);
  }

  @Test
  void errors_nameTheUrlOnOneLine() throws Exception {
    String url = server.url("repo");
    String ref = failure("FROM scratch", "ADD " + url + "#nope /r");
    assertEquals("Dockerfile:2: ADD: git source " + url + "#nope: repository does not contain"
        + " ref nope", ref);
    String missing = failure("FROM scratch", "ADD " + server.url("missing", "u:s3cret") + " /r");
    assertTrue(missing.contains("git source " + server.url("missing", "u:xxxxx")), missing);
    assertTrue(missing.contains("not found"), missing);
    assertFalse(missing.contains("s3cret"), missing);
    String subdir = failure("FROM scratch", "ADD " + url + "#main:nope /r");
    assertTrue(subdir.endsWith("subdirectory nope not found at " + second), subdir);
    String mixed = failure("FROM scratch", "ADD " + url + " a.txt /r");
    assertTrue(mixed.contains("cannot mix git sources and other sources"), mixed);
    String copy = failure("FROM scratch", "COPY " + url + " /r");
    assertTrue(copy.endsWith("source can't be a git ref for COPY"), copy);
  }

  @Test
  void hostile_commandTransportsHostPathsAndSymlinksOut() throws Exception {
    Path pwned = tmp.resolve("pwned");
    String ext = failure("FROM scratch",
        "ADD [\"ext::sh -c touch% " + pwned + "\", \"/x\"]");
    assertTrue(ext.contains("git transport \"ext::\" is not allowed"), ext);
    // The same transports from a repository's .gitmodules, which only git sees.
    GitServer.Repo evil = server.create("evil");
    evil.write("f", "f\n").write(".gitmodules", "[submodule \"x\"]\n\tpath = x\n"
        + "\turl = ext::sh -c touch% " + pwned + "\n");
    Files.createDirectories(evil.work().resolve("x")); // keeps the gitlink through "add -A"
    evil.git("add", "-A");
    evil.git("update-index", "--add", "--cacheinfo", "160000," + first + ",x");
    evil.commit("submodule");
    String sub = failure("FROM scratch", "ADD " + server.url("evil") + " /x");
    assertTrue(sub.contains("transport 'ext' not allowed"), sub);
    assertFalse(Files.exists(pwned), "git ran no command");
    evil.write(".gitmodules", "[submodule \"x\"]\n\tpath = x\n\turl = "
        + tmp.resolve("git/repo.git") + "\n");
    evil.commit("local submodule");
    String local = failure("FROM scratch", "ADD " + server.url("evil") + " /x");
    assertTrue(local.contains("transport 'file' not allowed"), local);
    // A subdirectory that is a symlink out of the checkout.
    repo.write("a", "a\n");
    Files.createSymbolicLink(repo.work().resolve("out"), tmp);
    String sha = repo.commit("symlink out");
    String out = failure("FROM scratch", "ADD " + server.url("repo") + "#main:out /x");
    assertTrue(out.endsWith("subdirectory out is not a directory at " + sha), out);
  }

  @Test
  void submodules_checkedOutWithoutTheirGitLinks_keptReproducibly() throws Exception {
    GitServer.Repo sup = server.create("super");
    sup.write("top", "top\n").write(".gitmodules",
        "[submodule \"lib\"]\n\tpath = lib\n\turl = ../repo.git\n");
    Files.createDirectories(sup.work().resolve("lib"));
    sup.git("add", "-A");
    sup.git("update-index", "--add", "--cacheinfo", "160000," + first + ",lib");
    sup.commit("with a submodule");
    build("FROM scratch", "ADD " + server.url("super") + " /s");
    Path s = layer(0).resolve("s");
    assertEquals("top\n", Files.readString(s.resolve("top")));
    assertEquals("one\n", Files.readString(s.resolve("lib/a")), "the submodule's commit");
    assertFalse(Files.exists(s.resolve("lib/.git")));
    String[] kept = {"FROM scratch", "ADD --keep-git-dir " + server.url("super") + " /s"};
    BuildResult one = build(Store.open(tmp.resolve("s1")), "1700000000", kept);
    BuildResult two = build(Store.open(tmp.resolve("s2")), "1700000000", kept);
    assertEquals(one.manifestDigest(), two.manifestDigest(), "kept .git dirs are reproducible");
    build("FROM scratch", "ADD " + server.url("super") + "?submodules=false /s");
    assertEquals("top\n", Files.readString(layer(0).resolve("s/top")));
    assertFalse(Files.exists(layer(0).resolve("s/lib/a")), "submodules=false skips them");
  }

  @Test
  void query_sameTreeAndCacheKeyAsTheFragment() throws Exception {
    String url = server.url("repo");
    BuildResult fragment = build("FROM scratch", "ADD " + url + "#v1:sub /s");
    BuildResult query = build("FROM scratch", "ADD " + url + "?ref=v1&subdir=sub /s");
    assertEquals(1, query.cachedSteps(), "the equivalent fragment's layer");
    assertEquals(fragment.config().diffIds(), query.config().diffIds());
    build("FROM scratch",
        "ADD " + url + "?tag=v1&checksum=" + first.substring(0, 8) + " /tag",
        "ADD " + url + "?branch=main&subdir=sub/deep /branch",
        "ADD " + url + "?commit=" + first + " /commit");
    assertEquals("one\n", Files.readString(layer(0).resolve("tag/a")));
    assertEquals("deep\n", Files.readString(layer(1).resolve("branch/d")));
    assertFalse(Files.exists(layer(1).resolve("branch/a")));
    assertEquals("one\n", Files.readString(layer(2).resolve("commit/a")));
    List<ImageConfig.History> history = store.images().inspect("test").config().history();
    assertEquals("ADD " + url + "?branch=main&subdir=sub/deep /branch",
        history.get(1).createdBy(), "the source as written");
    String wrong = failure("FROM scratch", "ADD " + url + "?branch=main&checksum=" + first
        + " /r");
    assertTrue(wrong.contains("git source " + url + "?branch=main&checksum=" + first
        + ": expected checksum to match " + first + ", got " + second), wrong);
    String flags = failure("FROM scratch",
        "ADD --checksum=" + second + " " + url + "?checksum=" + first + " /r");
    assertTrue(flags.endsWith("checksum mismatch \"" + second + "\" != \"" + first + "\""),
        flags);
    String unknown = failure("FROM scratch", "ADD " + url + "?ref=main&depth=1 /r");
    assertTrue(unknown.contains("unexpected query \"depth\""), unknown);
  }

  @Test
  void query_keepGitDir_likeTheFlag_withoutTheUrlsSecret() throws Exception {
    String url = server.url("repo", "user:s3cret");
    BuildResult flag = build("FROM scratch", "ADD --keep-git-dir " + url + "#main /r");
    BuildResult query = build("FROM scratch", "ADD " + url + "?ref=main&keep-git-dir=true /r");
    assertEquals(1, query.cachedSteps(), "the flag's layer");
    assertEquals(flag.config().diffIds(), query.config().diffIds());
    build("FROM scratch", "ADD " + url + "?branch=main&keep-git-dir=true /r");
    Path r = layer(0).resolve("r");
    assertEquals(second, GitServer.git(r, "--git-dir=" + r.resolve(".git"), "rev-parse",
        "HEAD").strip());
    List<ImageConfig.History> history = store.images().inspect("test").config().history();
    assertEquals("ADD " + server.url("repo", "user:xxxxx") + "?branch=main&keep-git-dir=true /r",
        history.get(0).createdBy());
    assertFalse(contains(store.root(), "s3cret"), "no secret in the store (cache, history)");
    String off = failure("FROM scratch", "ADD --keep-git-dir " + url + "?keep-git-dir=false /r");
    assertTrue(off.contains("inconsistent keep-git-dir configuration"), off);
    assertFalse(off.contains("s3cret"), off);
  }

  @Test
  void notGit_fileUrlsAndPlainPathsStayInTheContext() throws Exception {
    Files.createDirectories(ctx.resolve("vendor.git"));
    Files.writeString(ctx.resolve("vendor.git/f"), "from the context\n");
    build("FROM scratch", "ADD vendor.git /v", "ADD /vendor.git /w");
    assertEquals("from the context\n", Files.readString(layer(0).resolve("v/f")));
    assertEquals("from the context\n", Files.readString(layer(1).resolve("w/f")));
    String file = failure("FROM scratch", "ADD file://" + tmp.resolve("git/repo.git") + " /x");
    assertTrue(file.contains("in the build context: not found"), file);
  }

  private static boolean contains(Path root, String secret) throws IOException {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (indexOf(Files.readAllBytes(f), needle) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
