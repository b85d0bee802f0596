package dev.lamina.builder.exec;

import dev.lamina.builder.cache.BuildCache;
import dev.lamina.builder.cache.CacheKey;
import dev.lamina.builder.cache.CachedLayer;
import dev.lamina.builder.context.BuildContext;
import dev.lamina.builder.context.ContextFilter;
import dev.lamina.builder.context.FileDigests;
import dev.lamina.builder.recipe.Recipe;
import dev.lamina.builder.recipe.Stage;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.ref.Reference;
import dev.lamina.layerfs.transport.ImagePulls;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.ImageNotFoundException;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.LayerDigests;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.Layers;
import dev.lamina.layerfs.oci.Timestamps;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything one build shares between its stages: the store and its cache, the context, the
 * options, the workspace, the evaluated global arguments, and the results of the stages built so
 * far. Thread-safe: independent stages build at once.
 */
final class BuildRun {
  static final String HISTORY_COMMENT = "lamina.build.v0";

  final Store store;
  final BuildOptions options;
  /** FROM images pulled so far: the name in the recipe, and what names it in the store. */
  private final Map<String, String> pulledImages = new HashMap<>();
  final BuildContext context;
  /** What the context's ignore file hides from COPY and ADD. */
  final ContextFilter hidden;
  final Progress progress;
  final BuildCache cache;
  final FileDigests digests;
  final Workspace workspace;
  final SshAgents sshAgents;
  final StepContainers stepContainers;
  /** The namespace the default-network RUN steps share, set up at the first. */
  final BuildNetwork network;
  final ExtractedLayers extracted;
  final LayerWriter layerWriter;
  /** The build's time: SOURCE_DATE_EPOCH when given, else when the build started. */
  final String created;
  /**
   * A reproducible build's epoch (SOURCE_DATE_EPOCH), which is then {@link #created} and the
   * latest time any entry gets; null when files keep their own times.
   */
  private final Instant epoch;
  /** The newest time of a layer this build made or took from the cache. */
  private final AtomicReference<Instant> newestLayer = new AtomicReference<>();
  final Recipe recipe;
  final Map<Integer, String> originals;
  final GlobalArgs globals;
  final Set<String> consumedArgs;
  /**
   * Each needed stage's build, by the stage's index: a stage is a record whose hash and equality
   * would walk all its instructions (and, on first use, spin their record methods up: a fifth of
   * a small build's own time).
   */
  final Map<Integer, CompletableFuture<BuildState>> stages = new ConcurrentHashMap<>();
  final AtomicInteger steps = new AtomicInteger();
  final AtomicInteger cachedSteps = new AtomicInteger();

  BuildRun(
      Store store,
      BuildOptions options,
      BuildContext context,
      Progress progress,
      FileDigests digests,
      Workspace workspace,
      SshAgents sshAgents,
      StepContainers stepContainers,
      BuildNetwork network,
      LayerWriter layerWriter,
      String created,
      Recipe recipe,
      Map<Integer, String> originals,
      GlobalArgs globals,
      Set<String> consumedArgs) {
    this.store = store;
    this.options = options;
    this.context = context;
    this.hidden = new ContextFilter(context);
    this.progress = progress;
    this.cache = BuildCache.of(store);
    this.digests = digests;
    this.workspace = workspace;
    this.sshAgents = sshAgents;
    this.stepContainers = stepContainers;
    this.network = network;
    this.extracted = ExtractedLayers.of(store);
    this.layerWriter = layerWriter;
    this.created = created;
    this.epoch = layerWriter.epoch().orElse(null);
    this.recipe = recipe;
    this.originals = originals;
    this.globals = globals;
    this.consumedArgs = consumedArgs;
  }

  /**
   * The OCI runtime of the RUN steps: the options', or the store's configured one as {@code run}
   * chooses it ({@code LAMINA_RUNTIME}, the store's {@code lamina.properties}, else runc), with
   * its state in the store.
   *
   * @throws dev.lamina.runner.runtime.RuntimeNotFoundException when it is not installed
   */
  OciRuntime runtime() throws IOException {
    return options.runtime() != null
        ? options.runtime()
        : OciRuntimes.source(store.root()).select(null);
  }

  /**
   * A cache key for a step of kind {@code kind} that writes a layer. The way this build writes
   * times is part of it: a layer cached by a build that kept files' times is not the layer of a
   * build that clamps them to an epoch, nor of one with another epoch.
   */
  CacheKey.Builder cacheKey(String kind) {
    return CacheKey.of(kind)
        .field("times", epoch == null ? "kept" : "clamped to " + epoch.getEpochSecond());
  }

  /**
   * SOURCE_DATE_EPOCH for the environment of RUN steps, or null when the build keeps times:
   * tools that honour it (py_compile writes hash-based .pyc, gzip and dpkg stop recording the
   * time) then write files that stay valid once their sources' times are clamped.
   */
  String sourceDateEpoch() {
    return epoch == null ? null : Long.toString(epoch.getEpochSecond());
  }

  /**
   * The time of files a step makes without a source (new parent directories, inline files):
   * the moment they are made, as BuildKit gives them; a reproducible build's writer clamps it.
   */
  Instant fileTime() {
    return Instant.now();
  }

  char escape() {
    return recipe.directives().escape();
  }

  /**
   * A history entry for a step that made a new layer (stamped with the build's time) or for one
   * that made none (left unstamped until {@link #settleTimes}).
   */
  ImageConfig.History history(String createdBy, boolean emptyLayer) {
    if (emptyLayer) {
      return new ImageConfig.History(
          epoch != null ? created : null, createdBy, null, HISTORY_COMMENT, Boolean.TRUE);
    }
    noteLayerTime(created);
    return new ImageConfig.History(created, createdBy, null, HISTORY_COMMENT, null);
  }

  /**
   * A history entry for a step whose layer came from the cache: stamped with the time the layer
   * was made, as BuildKit does, so that a rebuild that hits every step writes the same config and
   * so the same image id.
   */
  ImageConfig.History history(String createdBy, CachedLayer hit) {
    if (hit.layer() == null) {
      return history(createdBy, true);
    }
    String time = epoch != null || hit.created() == null ? created : hit.created();
    noteLayerTime(time);
    return new ImageConfig.History(time, createdBy, null, HISTORY_COMMENT, null);
  }

  /** The time of the last stamped entry (the base image's newest), or null. */
  private static String lastStamp(List<ImageConfig.History> history) {
    String last = null;
    for (ImageConfig.History h : history == null ? List.<ImageConfig.History>of() : history) {
      last = h.created() != null ? h.created() : last;
    }
    return last;
  }

  private void noteLayerTime(String time) {
    Instant t = Timestamps.parse(time);
    newestLayer.accumulateAndGet(t, (a, b) -> a == null || b.isAfter(a) ? b : a);
  }

  /**
   * Stamps the final config: its {@code created} and the entries of steps that made no layer get
   * the newest layer time of this build (BuildKit's rule); a build that made no layer takes the
   * time of the base image's newest history entry, or the build's own over scratch.
   */
  ImageConfig settleTimes(ImageConfig config) {
    Instant newest = newestLayer.get();
    List<ImageConfig.History> history = config.history();
    String time = epoch != null ? created
        : newest != null ? Timestamps.format(newest)
        : lastStamp(history) != null ? lastStamp(history)
        : created;
    if (history != null) {
      List<ImageConfig.History> stamped = new ArrayList<>(history.size());
      for (ImageConfig.History h : history) {
        // Only this build's own entries are unstamped (a base image's are left as they are).
        boolean ours = h.created() == null && HISTORY_COMMENT.equals(h.comment());
        stamped.add(!ours ? h
            : new ImageConfig.History(time, h.createdBy(), h.author(), h.comment(),
                h.emptyLayer()));
      }
      config = new ImageConfig(null, config.author(), config.architecture(), config.os(),
          config.osVersion(), config.osFeatures(), config.variant(), config.config(),
          config.rootfs(), stamped);
    }
    return config.withCreated(time);
  }

  /**
   * Writes a layer of {@code entries} into the store.
   *
   * @throws IOException if reading a source or writing the blob fails
   */
  LayerRef writeLayer(List<LayerEntry> entries) throws IOException {
    return writeSortedLayer(layerWriter.plan(entries));
  }

  /**
   * Writes a layer of entries that come sorted ({@link LayerWriter#writeSorted}), streamed into
   * the store one at a time.
   *
   * @throws IOException if reading a source or writing the blob fails
   */
  LayerRef writeSortedLayer(Iterable<LayerEntry> sorted) throws IOException {
    return writeSortedLayer(sorted, () -> true);
  }

  /** Whether a layer just written is to be kept; asked before it is committed. */
  @FunctionalInterface
  interface Keep {
    boolean keep() throws IOException;
  }

  /**
   * As {@link #writeSortedLayer(Iterable)}, asking {@code keep} once every entry is written and
   * before the blob is committed: when it says no, the blob is discarded (it never was in the
   * store) and null is returned.
   *
   * @throws IOException if reading a source or writing the blob fails, or {@code keep} throws
   */
  LayerRef writeSortedLayer(Iterable<LayerEntry> sorted, Keep keep) throws IOException {
    // Past the page cache (see DirectFileOutput). A following step that mounts the layer (a RUN
    // after a COPY) extracts it from the blob, which is then read from the disk rather than the
    // cache: measured on the 50,000-file context (a 342 MB layer), COPY then RUN took 5.8-6.9 s
    // this way against 5.7-7.8 s through the cache, COPY then COPY --from of it 6.0-6.2 s
    // against 6.3-8.5 s, the COPY alone 1.6-1.7 s against 1.6-2.0 s. The read back (0.24 s
    // here, cold) costs about what the copy into cache pages saves; on a disk much slower to
    // read than this one, it would cost more.
    try (BlobWriter w = store.blobs().newWriter().withDirectWrites()) {
      if (options.compression() == dev.lamina.layerfs.compress.Compression.NONE) {
        // The blob is the tar: the writer's own digest is the diff_id, no second hash needed.
        layerWriter.writeSorted(sorted, w);
        if (!keep.keep()) {
          return null;
        }
        dev.lamina.layerfs.store.BlobInfo info = w.commit();
        return new LayerRef(
            dev.lamina.layerfs.oci.Descriptor.of(
                dev.lamina.layerfs.oci.MediaType.OCI_LAYER, info.digest(), info.size()),
            info.digest());
      }
      LayerDigests d =
          Layers.writeSorted(
              layerWriter,
              sorted,
              w,
              options.compression(),
              options.compression().defaultLevel());
      if (!keep.keep()) {
        return null;
      }
      w.commit();
      return new LayerRef(d.descriptor(), d.diffId());
    }
  }

  /** The cached result of {@code key}, unless {@code --no-cache}. */
  Optional<CachedLayer> cached(CacheKey key) throws IOException {
    if (options.noCache()) {
      return Optional.empty();
    }
    return cache.get(key);
  }

  /** Records a step's result. */
  void remember(CacheKey key, LayerRef layer) throws IOException {
    cache.put(key, new CachedLayer(
        layer == null ? null : layer.blob(), layer == null ? null : layer.diffId(), key.fields(),
        layer == null ? null : created));
  }

  /** Says why {@code key} missed: the fields that differ from the closest recorded key. */
  void explainMiss(Progress.Step step, CacheKey key) throws IOException {
    if (options.noCache()) {
      step.explain("cache: miss (--no-cache)");
      return;
    }
    List<List<String>> candidates = cache.similar(key, 200);
    if (candidates.isEmpty()) {
      step.explain("cache: miss (no earlier build of this step on this parent: "
          + key.fields().get(1) + ")");
      return;
    }
    List<String> best = null;
    int bestDiff = Integer.MAX_VALUE;
    for (List<String> c : candidates) {
      int diff = difference(c, key.fields()).size();
      if (diff < bestDiff) {
        bestDiff = diff;
        best = c;
      }
    }
    List<String> changed = difference(best, key.fields());
    step.explain("cache: miss, changed since the closest cached run: "
        + String.join("; ", changed.subList(0, Math.min(5, changed.size())))
        + (changed.size() > 5 ? "; ..." : ""));
  }

  private static List<String> difference(List<String> old, List<String> now) {
    List<String> out = new ArrayList<>();
    for (String f : now) {
      if (!old.contains(f)) {
        out.add(f.length() > 120 ? f.substring(0, 120) + "..." : f);
      }
    }
    for (String f : old) {
      if (!now.contains(f) && out.size() < 10) {
        String name = f.contains("=") ? f.substring(0, f.indexOf('=')) : f;
        if (out.stream().noneMatch(o -> o.startsWith(name + "="))) {
          out.add("removed " + (f.length() > 120 ? f.substring(0, 120) + "..." : f));
        }
      }
    }
    return out;
  }

  /**
   * The state of the image {@code name} from the store, for FROM and {@code --from}.
   *
   * @throws BuildException if the store has no such image for this platform
   */
  BuildState imageState(String name) throws IOException {
    if (!Reference.isValid(name)) {
      // As BuildKit: a name with a NUL, a space or an upper-case letter is no image's name.
      throw new BuildException(name + ": invalid reference format");
    }
    ImageDetails details;
    try {
      details = store.images().forPlatform(pulled(name), Platform.host());
    } catch (ImageNotFoundException e) {
      throw new BuildException(name + ": " + e.getMessage());
    }
    ImageConfig config = details.config().withCreated(null);
    List<LayerRef> layers = new ArrayList<>();
    var blobs = details.manifest().layers();
    var diffIds = config.diffIds();
    if (blobs.size() != diffIds.size()) {
      throw new BuildException(name + ": manifest and config disagree on the number of layers");
    }
    for (int i = 0; i < blobs.size(); i++) {
      layers.add(new LayerRef(blobs.get(i), diffIds.get(i)));
    }
    return new BuildState(config, layers, Map.of(), Map.of(), false);
  }

  /**
   * What names {@code name} in the store once it has been pulled as {@code --pull} says: once per
   * build, however many stages and steps use it.
   */
  private String pulled(String name) throws IOException {
    synchronized (pulledImages) {
      String stored = pulledImages.get(name);
      if (stored == null) {
        try {
          stored = ImagePulls.ensure(store, name, options.pull(), options.registry());
        } catch (ImageNotFoundException e) {
          throw e;
        } catch (IOException | IllegalArgumentException e) {
          throw new BuildException(name + ": cannot pull: " + e.getMessage(), e);
        }
        pulledImages.put(name, stored);
      }
      return stored;
    }
  }

  /** The built state of an earlier stage (its future is complete: stages wait for their deps). */
  BuildState stageResult(Stage stage) {
    return stages.get(stage.index()).join();
  }
}
