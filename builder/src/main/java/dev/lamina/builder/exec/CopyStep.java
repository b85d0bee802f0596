package dev.lamina.builder.exec;

import dev.lamina.builder.cache.CacheKey;
import dev.lamina.builder.cache.CachedLayer;
import dev.lamina.builder.copy.Chmod;
import dev.lamina.builder.copy.Paths;
import dev.lamina.builder.copy.Placement;
import dev.lamina.builder.copy.RootView;
import dev.lamina.builder.copy.SourceSet;
import dev.lamina.builder.copy.SourceTree;
import dev.lamina.builder.git.GitCheckout;
import dev.lamina.builder.git.GitException;
import dev.lamina.builder.git.GitUrl;
import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.builder.recipe.Add;
import dev.lamina.builder.recipe.Copy;
import dev.lamina.builder.recipe.InlineFile;
import dev.lamina.builder.recipe.Instruction;
import dev.lamina.builder.recipe.Stage;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.tar.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * COPY and ADD: the sources are collected and fingerprinted first (context files by content,
 * git sources by the commit their ref resolves to), the cache is asked, and only on a miss is the
 * target root filesystem looked at (for the destination's symlinks, existing parents and {@code
 * --chown} names), a git source fetched, and the layer written straight from the sources,
 * without copying them anywhere first.
 */
final class CopyStep {
  private CopyStep() {}

  /**
   * What COPY and ADD share. For git sources, {@code sources} are shown without their secrets and
   * {@code git} holds them parsed, {@code --checksum} and {@code --keep-git-dir} merged in;
   * otherwise {@code git} is null.
   */
  private record Request(
      String kind,
      List<String> sources,
      List<InlineFile> inline,
      String destination,
      String from,
      String chown,
      String chmod,
      boolean link,
      boolean parents,
      List<String> excludes,
      boolean unpack,
      String checksum,
      List<GitUrl> git) {}

  static BuildState copy(Interpreter in, BuildState state, Copy c) throws IOException {
    for (String s : c.sources()) {
      if (c.from() == null && GitUrl.isGit(s)) {
        throw new BuildException("source can't be a git ref for COPY");
      }
      if (isUrl(s)) {
        throw new BuildException("source can't be a URL for COPY");
      }
    }
    return apply(in, state, c, new Request("COPY", c.sources(), c.inlineSources(),
        c.destination(), c.from(), c.chown(), c.chmod(), c.link(), c.parents(), c.excludes(),
        false, null, null));
  }

  static BuildState add(Interpreter in, BuildState state, Add a) throws IOException {
    List<GitUrl> git = new ArrayList<>();
    for (String s : a.sources()) {
      try {
        GitUrl.parse(s).ifPresent(git::add);
      } catch (GitException e) {
        throw new BuildException(e.getMessage());
      }
    }
    if (!git.isEmpty()) {
      return addGit(in, state, a, git);
    }
    if (a.checksum() != null && (a.sources().size() != 1 || !isUrl(a.sources().get(0)))) {
      throw new BuildException("checksum requires a single HTTP(S) or git source");
    }
    boolean urls = a.sources().stream().anyMatch(CopyStep::isUrl);
    if (urls && !a.sources().stream().allMatch(CopyStep::isUrl)) {
      throw new BuildException("ADD cannot mix URLs and local sources in one instruction");
    }
    boolean unpack = a.unpack() == null ? !urls : a.unpack();
    return apply(in, state, a, new Request("ADD", a.sources(), a.inlineSources(),
        a.destination(), null, a.chown(), a.chmod(), a.link(), false, a.excludes(), unpack,
        a.checksum(), null));
  }

  /** ADD of git repositories: each tree's contents go into the destination directory. */
  private static BuildState addGit(Interpreter in, BuildState state, Add a, List<GitUrl> git)
      throws IOException {
    if (git.size() != a.sources().size() || !a.inlineSources().isEmpty()) {
      throw new BuildException("ADD cannot mix git sources and other sources in one instruction");
    }
    if (a.checksum() != null && git.size() != 1) {
      throw new BuildException("checksum can't be specified for multiple sources");
    }
    List<GitUrl> sources = new ArrayList<>();
    for (GitUrl g : git) {
      try {
        sources.add(g.withFlags(a.checksum(), a.keepGitDir()));
      } catch (GitException e) {
        throw new BuildException(e.getMessage());
      }
    }
    List<String> shown = git.stream().map(GitUrl::shown).toList();
    return apply(in, state, a, new Request("ADD", shown, List.of(), a.destination(), null,
        a.chown(), a.chmod(), a.link(), false, a.excludes(), false, a.checksum(), sources));
  }

  private static BuildState apply(Interpreter in, BuildState state, Instruction i, Request r)
      throws IOException {
    String text = in.display(i, state);
    if (r.git() != null) {
      // The text is shown, and kept in the cache key's readable fields: never a URL's secret.
      for (GitUrl g : r.git()) {
        text = g.redact(text);
      }
    }
    Progress.Step step = in.begin(text);
    try {
      BuildState next = run(in, state, r, text, step);
      return next;
    } catch (IOException | RuntimeException e) {
      step.failed(e.getMessage());
      if (e instanceof IllegalArgumentException || e instanceof GitException) {
        throw new BuildException(e.getMessage());
      }
      throw e;
    }
  }

  private static BuildState run(
      Interpreter in, BuildState state, Request r, String text, Progress.Step step)
      throws IOException {
    Instant began = Instant.now(); // before any file is looked at (see SourceSet#changedAgain)
    String dest = Paths.resolveAgainst(state.container().workingDir(), r.destination());
    Chmod chmod = r.chmod() == null ? null : Chmod.parse(r.chmod());
    BuildRun run = in.run;
    Instant now = run.fileTime();
    Map<String, byte[]> inline = new LinkedHashMap<>();
    for (InlineFile f : r.inline()) {
      inline.put(f.name(), f.content().getBytes(StandardCharsets.UTF_8));
    }
    BuildState sourceState = null;
    SourceSet sources = null;
    List<GitCheckout> checkouts = null;
    Path downloads = null;
    String sourceKind;
    if (r.git() != null) {
      checkouts = new ArrayList<>();
      StringBuilder ids = new StringBuilder();
      for (GitUrl g : r.git()) {
        GitCheckout c = GitCheckout.resolve(g, run.workspace.newDir("git"),
            run.sshAgents.socket("default"));
        checkouts.add(c);
        ids.append(c.cacheId()).append(';');
      }
      sourceKind = ids.toString();
    } else if (r.from() != null) {
      Stage src = Stages.fromStage(run.recipe, r.from());
      if (src != null && src.index() >= in.stage.index()) {
        throw new BuildException("cannot copy from stage \"" + r.from()
            + "\", it needs to be defined before the current stage");
      }
      sourceState = src != null ? run.stageResult(src) : run.imageState(r.from());
      sourceKind = "layers " + sourceState.chainId();
    } else if (!r.sources().isEmpty() && isUrl(r.sources().get(0))) {
      downloads = run.workspace.newDir("download");
      List<String> names = new ArrayList<>();
      StringBuilder ids = new StringBuilder();
      for (String url : r.sources()) {
        String name = fetch(url, downloads, r.checksum());
        names.add(name);
        ids.append(name).append(' ')
            .append(dev.lamina.builder.context.FileDigests.hash(downloads.resolve(name)))
            .append(';');
      }
      sources = SourceSet.collect(SourceTree.rootfs(downloads), names, inline,
          new SourceSet.Options(List.of(), false, r.unpack(), null, now));
      sourceKind = "urls " + ids;
    } else {
      SourceTree tree = SourceTree.context(run.context.dir(), run.hidden);
      sources = SourceSet.collect(tree, r.sources(), inline,
          new SourceSet.Options(r.excludes(), r.parents(), r.unpack(), run.digests, now));
      sourceKind = "context";
    }
    CacheKey identity = key(run, r, state, text, dest, sourceKind);
    Optional<Instant> lastRun =
        run.options.noCache() ? Optional.empty() : run.cache.lastRun(identity);
    boolean seen = lastRun.isPresent();
    // When this step never ran on this parent, no record can match: rather than walking the
    // context and hashing its files first, and walking and reading them again for the layer, the
    // layer is written at once and the files are described and hashed as they stream into it;
    // the key follows from that. So too when a file it copies is known to have changed again
    // since a recent build (a file being edited, found with a few stat calls): a lookup's walk
    // would most likely end in a miss, found where the walk meets the file (last, perhaps), and
    // be followed by the write's walk. Then the cache is asked with the key the write's walk
    // found, before the layer is kept: a hit (an edit undone) is served as any hit is, and the
    // layer just written is dropped.
    boolean keyedByFiles = sources != null && sourceState == null;
    String atOnce = keyedByFiles && seen && sources.changedAgain(lastRun.get())
        ? "a file it copies changed again since it was last built" : null;
    boolean writeFirst = keyedByFiles && (!seen || atOnce != null);
    String history = history(r);
    CacheKey key = null;
    // The same when the lookup's walk meets a file changed since the step last ran (a file's
    // first edit): the walk stops there, and the layer is written at once.
    if (!writeFirst && keyedByFiles && sources.fingerprintUnlessChanged(lastRun.get()) == null) {
      atOnce = "the lookup's walk met a file it copies that changed";
    }
    boolean mayHit = seen && atOnce != null;
    if (!writeFirst && atOnce == null) {
      key = key(run, r, state, text, dest, sourceId(sourceKind, sources)); // walked above
      Optional<CachedLayer> hit = run.cached(key);
      if (hit.isPresent() && hit.get().layer() != null) {
        run.cachedSteps.incrementAndGet();
        if (run.options.explainCache()) {
          step.explain("cache: hit " + key.digest().shortHex());
        }
        step.cached();
        return state.withLayer(new LayerRef(hit.get().layer(), hit.get().diffId()),
            run.history(history, hit.get()));
      }
      if (run.options.explainCache()) {
        run.explainMiss(step, key);
      }
    }
    // What the key describes: the context's (or the downloads') files; null for a stage's or a
    // git checkout's, which the key names by their layers or commits.
    SourceSet keyed = sources;
    MountedRootfs target = null;
    MountedRootfs source = null;
    try {
      RootView view = RootView.empty();
      if (!r.link() && !state.layers().isEmpty()) {
        target = MountedRootfs.mount(run.extracted, state.layers(), run.workspace);
        view = RootView.of(target.root());
      }
      if (checkouts != null) {
        IgnoreRules excludes = r.excludes().isEmpty() ? IgnoreRules.none()
            : IgnoreRules.parse(String.join("\n", r.excludes()));
        List<SourceSet.Item> trees = new ArrayList<>();
        for (GitCheckout c : checkouts) {
          trees.add(c.checkout(excludes));
        }
        sources = SourceSet.ofDirectories(SourceTree.rootfs(run.workspace.dir()), trees);
      } else if (sourceState != null) {
        Path root;
        if (sourceState.layers().isEmpty()) {
          root = run.workspace.newDir("empty-source");
        } else {
          source = MountedRootfs.mount(run.extracted, sourceState.layers(), run.workspace);
          root = source.root();
        }
        SourceTree tree = source == null || source.lowers() == null ? SourceTree.rootfs(root)
            : SourceTree.mounted(root, source.lowers());
        sources = SourceSet.collect(tree, r.sources(), inline,
            new SourceSet.Options(r.excludes(), r.parents(), false, null, now));
      }
      Placement.Owner owner = r.chown() == null ? null
          : Owners.resolve(r.chown(), target == null ? null : target.root());
      Path scratch = run.workspace.newDir("add");
      Iterable<LayerEntry> entries =
          Placement.place(sources, dest, view, new Placement.Options(owner, chmod, scratch, now));
      // The layer is recorded under the key of what the write's own walk found: a file added to
      // the context after the lookup's walk (above) is in the layer, so it is in this key too.
      // Made once every entry is written, before the layer is committed (see mayHit).
      CacheKey[] written = new CacheKey[1];
      CachedLayer[] hitAfterWrite = new CachedLayer[1];
      LayerRef layer = run.writeSortedLayer(entries, () -> {
        written[0] = key(run, r, state, text, dest, sourceId(sourceKind, keyed));
        Optional<CachedLayer> hit = mayHit ? run.cached(written[0]) : Optional.empty();
        if (hit.isPresent() && hit.get().layer() != null) {
          hitAfterWrite[0] = hit.get();
          return false;
        }
        return true;
      });
      boolean explained = key != null;
      key = written[0];
      if (layer == null) {
        CachedLayer hit = hitAfterWrite[0];
        run.cachedSteps.incrementAndGet();
        if (run.options.explainCache()) {
          step.explain("cache: hit " + key.digest().shortHex() + " (found by the layer's write,"
              + " made at once as " + atOnce + "; that layer dropped)");
        }
        run.cache.markSeen(identity, began);
        step.cached();
        return state.withLayer(new LayerRef(hit.layer(), hit.diffId()),
            run.history(history, hit));
      }
      if (!explained && run.options.explainCache()) {
        if (mayHit) {
          step.explain("cache: layer written at once: " + atOnce);
        }
        run.explainMiss(step, key);
      }
      run.remember(key, layer);
      run.cache.markSeen(identity, began);
      step.done();
      return state.withLayer(layer, run.history(history, false));
    } finally {
      if (source != null) {
        source.close();
      }
      if (target != null) {
        target.close();
      }
    }
  }

  private static String sourceId(String kind, SourceSet sources) throws IOException {
    return sources == null ? kind : kind + " " + sources.fingerprint();
  }

  /** The step's cache key; with {@code sources} a placeholder, the step's identity. */
  private static CacheKey key(
      BuildRun run, Request r, BuildState state, String text, String dest, String sources) {
    return run.cacheKey(r.kind())
        .field("parent", r.link() ? "link" : state.chainId())
        .field("instruction", keyText(r, text))
        .field("dest", dest)
        .field("chown", r.chown())
        .field("chmod", r.chmod())
        .field("excludes", r.excludes())
        .field("sources", sources)
        .build();
  }

  /**
   * The instruction as the cache key holds it. A git source is keyed by what it resolves to (the
   * commit, subdirectory and kept refs in {@code sources}), not by how it is written: a fragment
   * and the equivalent query, or {@code --keep-git-dir} and {@code keep-git-dir=true}, share a
   * key.
   */
  private static String keyText(Request r, String text) {
    if (r.git() == null) {
      return text;
    }
    StringBuilder s = new StringBuilder(r.kind());
    for (GitUrl g : r.git()) {
      s.append(' ').append(g.shownRemote());
    }
    return s.append(' ').append(r.destination()).toString();
  }

  /** BuildKit's history text: {@code COPY [--parents] [--chown=] [--chmod=] src... dest}. */
  private static String history(Request r) {
    StringBuilder s = new StringBuilder(r.kind());
    if (r.parents()) {
      s.append(" --parents");
    }
    if (r.chown() != null) {
      s.append(" --chown=").append(r.chown());
    }
    if (r.chmod() != null) {
      s.append(" --chmod=").append(r.chmod());
    }
    for (String src : r.sources()) {
      s.append(' ').append(src);
    }
    for (InlineFile f : r.inline()) {
      s.append(" <<").append(f.name());
    }
    return s.append(' ').append(r.destination()).toString();
  }

  /** Whether {@code s} is an HTTP(S) URL; git sources among them are told apart first. */
  static boolean isUrl(String s) {
    return s.startsWith("http://") || s.startsWith("https://");
  }

  /**
   * The time of a downloaded file, as BuildKit's HTTP source sets it: the response's {@code
   * Last-Modified}, or 1970-01-01 when it has none or it cannot be parsed.
   */
  static Instant lastModified(HttpResponse<?> response) {
    return response.headers().firstValue("Last-Modified").flatMap(v -> {
      try {
        return Optional.of(ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
            .toInstant());
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }).orElse(Instant.EPOCH);
  }

  /** Downloads an ADD URL into {@code dir}; returns the file's name there. */
  private static String fetch(String url, Path dir, String checksum) throws IOException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new BuildException("invalid URL " + url);
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (name.isEmpty() || name.equals(".")) {
      name = "__unnamed__";
    }
    Path file = dir.resolve(name);
    try {
      HttpClient client = HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(30))
          .build();
      HttpResponse<InputStream> response =
          client.send(HttpRequest.newBuilder(uri).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        if (response.statusCode() / 100 != 2) {
          throw new BuildException("cannot fetch " + url + ": HTTP " + response.statusCode());
        }
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.setLastModifiedTime(file, FileTime.from(lastModified(response)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException("interrupted while fetching " + url);
    } catch (IOException e) {
      if (e instanceof BuildException) {
        throw e;
      }
      throw new BuildException("cannot fetch " + url + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    if (checksum != null) {
      Digest want;
      try {
        want = Digest.parse(checksum);
      } catch (IllegalArgumentException e) {
        throw new BuildException("invalid checksum " + checksum);
      }
      Digest got = dev.lamina.builder.context.FileDigests.hash(file);
      if (!got.equals(want)) {
        throw new BuildException("checksum mismatch for " + url + ": got " + got
            + ", expected " + want);
      }
    }
    // Remote files are 0600, as BuildKit writes them.
    dev.lamina.layerfs.posix.Posix.chmod(file, 0600);
    return name;
  }
}
