package dev.lamina.builder.git;

import dev.lamina.builder.copy.SourceSet;
import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.tar.LayerEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One git source of an ADD, the way BuildKit's git source works: the ref is first resolved to a
 * commit on the remote ({@link #resolve}, cheap, and all the cache key needs), and only when the
 * step misses is that commit fetched shallowly and checked out ({@link #checkout}), submodules
 * included unless the URL says {@code submodules=false}. The tree's contents are copied;
 * {@code .git} only with {@code --keep-git-dir} (or {@code keep-git-dir=true}) and no
 * subdirectory. Times are not taken from the checkout (the layer writer stamps every entry).
 *
 * <p>As in BuildKit, an ssh remote ({@code ssh://} or {@code user@host:path}) is reached through
 * the build's {@code default} SSH agent and cannot be reached without one; no other remote ever
 * sees that agent. Which agent it was is no part of the cache key.
 */
public final class GitCheckout {
  private final GitUrl url;
  private final boolean keepGitDir;
  private final Path work;
  private final Git git;
  private final boolean agentMissing;
  private final String commit;
  private final String refName;
  private final String tagObject;

  private GitCheckout(GitUrl url, boolean keepGitDir, Path work, Git git, boolean agentMissing,
      String commit, String refName, String tagObject) {
    this.url = url;
    this.keepGitDir = keepGitDir && url.subdir().isEmpty();
    this.work = work;
    this.git = git;
    this.agentMissing = agentMissing;
    this.commit = commit;
    this.refName = refName;
    this.tagObject = tagObject;
  }

  /**
   * Resolves {@code url}'s ref to a commit (a full commit id needs no network), checking it
   * against the URL's checksum (a hex prefix of the commit's id or of its annotated tag's; see
   * {@link GitUrl#withFlags} for ADD's {@code --checksum}) as BuildKit does. {@code work} is an
   * empty private directory the checkout will use; {@code defaultAgent} the socket of the build's
   * {@code default} SSH agent, if it has one, which only an ssh remote gets.
   *
   * @throws GitException if the remote cannot be reached (an ssh one without an agent included),
   *     lacks the ref, or fails the checksum
   */
  public static GitCheckout resolve(GitUrl url, Path work, Optional<Path> defaultAgent)
      throws IOException {
    String checksum = url.checksum();
    boolean keepGitDir = Boolean.TRUE.equals(url.keepGitDir());
    String want = null;
    if (checksum != null) {
      want = checksum.toLowerCase(Locale.ROOT);
      if (want.isEmpty() || !want.chars().allMatch(GitUrl::isLowerHex)) {
        throw new GitException("invalid checksum " + checksum
            + " for a git source, expected a hex commit id");
      }
    }
    // An https, http or git remote never gets it, nor do its submodules, whatever their URLs.
    Optional<Path> agent = url.overSsh() ? defaultAgent : Optional.empty();
    boolean agentMissing = url.overSsh() && agent.isEmpty();
    Git git = new Git(work, agent);
    GitCheckout c;
    if (url.refIsCommit()) {
      c = new GitCheckout(url, keepGitDir, work, git, agentMissing, url.ref(), null, null);
    } else {
      requireAgent(url, agentMissing);
      c = lookUp(url, keepGitDir, work, git);
    }
    if (want != null && !c.commit.startsWith(want)
        && (c.tagObject == null || !c.tagObject.startsWith(want))) {
      throw c.failure("expected checksum to match " + checksum + ", got " + c.commit
          + (c.tagObject == null ? "" : " or " + c.tagObject));
    }
    return c;
  }

  /** BuildKit's choice among what {@code ls-remote} lists: the exact ref, a branch, a tag. */
  private static GitCheckout lookUp(GitUrl url, boolean keepGitDir, Path work, Git git)
      throws IOException {
    String ref = url.ref();
    try {
      if (ref.isEmpty()) {
        ref = defaultBranch(url, git, work);
      }
      Map<String, String> refs = new HashMap<>();
      for (String line : git.remote(work, List.of("ls-remote", "--", url.remote(), ref,
          ref + "^{}")).split("\n")) {
        int tab = line.indexOf('\t');
        if (tab > 0) {
          refs.put(line.substring(tab + 1), line.substring(0, tab));
        }
      }
      String exact = "refs/" + strip(ref, "refs/");
      String branch = "refs/heads/" + strip(ref, "refs/heads/");
      String tag = "refs/tags/" + strip(ref, "refs/tags/");
      String used = refs.containsKey(exact) ? exact
          : refs.containsKey(branch) ? branch
          : refs.containsKey(tag) ? tag : null;
      if (used == null) {
        throw failure(url, "repository does not contain ref " + ref);
      }
      String id = refs.get(used);
      String peeled = refs.get(used + "^{}");
      String commit = peeled != null ? peeled : id;
      if (!GitUrl.isCommitId(commit)) {
        throw failure(url, "invalid commit id \"" + commit + "\" for ref " + ref);
      }
      return new GitCheckout(url, keepGitDir, work, git, false, commit, used,
          peeled != null ? id : null);
    } catch (Git.Failure f) {
      throw failure(url, f, work);
    }
  }

  private static String defaultBranch(GitUrl url, Git git, Path work) throws IOException {
    String out = git.remote(work, List.of("ls-remote", "--symref", "--", url.remote(), "HEAD"));
    for (String line : out.split("\n")) {
      if (line.startsWith("ref: refs/heads/") && line.endsWith("\tHEAD")) {
        return line.substring("ref: ".length(), line.length() - "\tHEAD".length());
      }
    }
    throw failure(url, "could not find the repository's default branch");
  }

  /**
   * BuildKit's git source mounts the session's {@code default} SSH agent for an ssh remote and
   * fails, before running git, when the client forwarded none; so does this, saying how to give
   * one. (A full commit id needs the remote only when the step misses the cache.)
   */
  private static void requireAgent(GitUrl url, boolean missing) throws GitException {
    if (missing) {
      throw failure(url, "an ssh remote needs the build's default SSH agent, and none was given"
          + " (--ssh default, or --ssh default=SOCKET|KEY)");
    }
  }

  private static String strip(String s, String prefix) {
    return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
  }

  /**
   * What the cache key holds for this source: the repository (without its secret), the commit,
   * the subdirectory, whether submodules are skipped and, when {@code .git} is kept, the ref and
   * tag that go into it. How the URL was written (fragment or query) is not part of it.
   */
  public String cacheId() {
    StringBuilder s = new StringBuilder("git ").append(url.shownRemote()).append(' ')
        .append(commit).append(" subdir=").append(url.subdir());
    if (!url.submodules()) {
      s.append(" submodules=false");
    }
    if (keepGitDir) {
      s.append(" keep-git-dir ref=").append(refName).append(" tag=").append(tagObject);
    }
    return s.toString();
  }

  /**
   * Fetches and checks out the commit, and describes the tree to copy: its contents without
   * {@code .git} (unless kept) and without what {@code excludes} matches, owned by root, with
   * the modes git gives under umask 022 whatever this process's umask is.
   *
   * @throws GitException if the fetch or checkout fails, or the subdirectory is not one
   */
  public SourceSet.Item checkout(IgnoreRules excludes) throws IOException {
    requireAgent(url, agentMissing);
    Path tree = work.resolve("tree");
    try {
      git.local(work, "init", "-q", commit.length() == 64
          ? "--object-format=sha256" : "--object-format=sha1", tree.toString());
      git.local(tree, "config", "remote.origin.url", url.remote());
      fetch(tree);
      // read-tree leaves an index without stat data, so a kept .git does not vary by the
      // checkout's inode numbers and times; submodules' indexes are reset to that below.
      git.local(tree, "read-tree", commit);
      git.local(tree, "checkout-index", "-a", "-f");
      git.local(tree, "update-ref", "--no-deref", "HEAD", commit);
      if (url.submodules() && Files.exists(tree.resolve(".gitmodules"))) {
        withoutDepthIfRefused(tree, List.of("submodule", "update", "-q", "--init",
            "--recursive", "--depth=1"));
        if (keepGitDir) {
          git.local(tree, "submodule", "--quiet", "foreach", "--recursive", "git read-tree HEAD");
        }
      }
    } catch (Git.Failure f) {
      throw failure(url, f, tree);
    }
    if (keepGitDir) {
      tidyGitDir(tree);
    }
    Path root = subdirectory(tree);
    List<LayerEntry> contents = CheckoutTree.entries(root, keepGitDir, excludes);
    LayerEntry top = LayerEntry.directory("root").withMode(0755).withOwner(0, 0)
        .withMtime(Posix.lstat(root).mtime());
    return new SourceSet.Item("", "", null, top, contents, false, root);
  }

  private void fetch(Path tree) throws IOException {
    if (refName != null) {
      // Into the ref's own name, as BuildKit does, so a kept .git knows the branch or tag;
      // -u because a fresh repository's unborn HEAD may be that very branch.
      withoutDepthIfRefused(tree, List.of("fetch", "-q", "-u", "--no-tags", "--depth=1",
          "origin", "+" + refName + ":" + refName));
      String got = git.local(tree, "rev-parse", "--verify", "-q", refName + "^{commit}").strip();
      if (!got.equals(commit)) {
        throw failure(url, url.ref() + " moved from " + commit + " to " + got
            + " while it was fetched; build again");
      }
      return;
    }
    try {
      withoutDepthIfRefused(tree, List.of("fetch", "-q", "--no-tags", "--depth=1", "origin",
          commit));
    } catch (Git.Failure f) {
      // Servers may refuse a commit no ref points at ("not our ref"): fetch every branch and
      // tag, then look for it.
      git.remote(tree, List.of("fetch", "-q", "--no-tags", "origin",
          "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"));
    }
    try {
      git.local(tree, "cat-file", "-e", commit + "^{commit}");
    } catch (Git.Failure f) {
      throw failure(url, "repository does not contain commit " + commit);
    }
  }

  /** Dumb HTTP servers (and some others) cannot serve shallow fetches: then fetch it all. */
  private void withoutDepthIfRefused(Path dir, List<String> args) throws IOException {
    try {
      git.remote(dir, args);
    } catch (Git.Failure f) {
      if (!f.stderr().contains("shallow") && !f.stderr().contains("--depth")) {
        throw f;
      }
      List<String> deep = new ArrayList<>(args);
      deep.remove("--depth=1");
      git.remote(dir, deep);
    }
  }

  /**
   * A kept {@code .git} as BuildKit leaves it (HEAD detached at the commit, origin the URL
   * without its secret), minus what only says when and where it was fetched.
   */
  private void tidyGitDir(Path tree) throws IOException {
    try {
      git.local(tree, "config", "remote.origin.url", url.shownRemote());
      git.local(tree, "config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*");
    } catch (Git.Failure f) {
      throw failure(url, f, tree);
    }
    Files.walkFileTree(tree.resolve(".git"), new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        if (dir.getFileName().toString().equals("logs")) {
          Trees.deleteRecursively(dir);
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String name = file.getFileName().toString();
        if (name.equals("FETCH_HEAD") || name.equals("ORIG_HEAD")) {
          Files.delete(file);
        } else if (name.equals("config") && attrs.isRegularFile()) {
          // Submodules record their URLs, resolved against the remote's, secret included.
          String text = Files.readString(file, StandardCharsets.UTF_8);
          String clean = url.redact(text);
          if (!clean.equals(text)) {
            Files.writeString(file, clean, StandardCharsets.UTF_8);
          }
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * The checked-out subdirectory to copy. Each of its components must be a real directory: a
   * symlink in the repository must not lead the copy out of the checkout into the host.
   */
  private Path subdirectory(Path tree) throws IOException {
    Path at = tree;
    if (url.subdir().isEmpty()) {
      return at;
    }
    for (String part : url.subdir().split("/")) {
      at = at.resolve(part);
      FileStat st;
      try {
        st = Posix.lstat(at);
      } catch (IOException e) {
        throw failure(url, "subdirectory " + url.subdir() + " not found at " + commit);
      }
      if (!st.isDirectory()) {
        throw failure(url, "subdirectory " + url.subdir() + " is not a directory at " + commit);
      }
    }
    return at;
  }

  private GitException failure(String reason) {
    return failure(url, reason);
  }

  private static GitException failure(GitUrl url, String reason) {
    return new GitException("git source " + url.shown() + ": " + reason);
  }

  /**
   * Git's own reason, without the URL's secret or this build's private paths. When ssh refused
   * the agent's keys, ssh's line says so better than git's "Could not read from remote".
   */
  private static GitException failure(GitUrl url, Git.Failure f, Path dir) {
    String denied = url.overSsh() ? sshDenied(f.stderr()) : null;
    String reason = denied != null
        ? denied + " (the server accepts none of the keys of the --ssh default agent)"
        : f.reason();
    return failure(url, url.redact(reason).replace(dir + "/", "").replace(dir.toString(), "."));
  }

  /** ssh's {@code user@host: Permission denied (publickey)} line, or null. */
  private static String sshDenied(String stderr) {
    for (String line : stderr.split("\n")) {
      String l = line.strip();
      if (l.contains("Permission denied (")) {
        return l.endsWith(".") ? l.substring(0, l.length() - 1) : l;
      }
    }
    return null;
  }
}
