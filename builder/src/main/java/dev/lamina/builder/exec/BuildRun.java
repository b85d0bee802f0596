package dev.lamina.builder.exec;

import dev.lamina.builder.cache.BuildCache;
import dev.lamina.builder.cache.CacheKey;
import dev.lamina.builder.cache.CachedLayer;
import dev.lamina.builder.context.BuildContext;
import dev.lamina.builder.context.FileDigests;
import dev.lamina.builder.recipe.Recipe;
import dev.lamina.builder.recipe.Stage;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.ImageNotFoundException;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.LayerDigests;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.Layers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything one build shares between its stages: the store and its cache, the context, the
 * options, the workspace, the evaluated global arguments, and the results of the stages built so
 * far. Thread-safe: independent stages build at once.
 */
final class BuildRun {
  static final String HISTORY_COMMENT = "lamina.build.v0";

  final Store store;
  final BuildOptions options;
  final BuildContext context;
  final Progress progress;
  final BuildCache cache;
  final FileDigests digests;
  final Workspace workspace;
  final ExtractedLayers extracted;
  final LayerWriter layerWriter;
  final String created;
  final Recipe recipe;
  final Map<Integer, String> originals;
  final GlobalArgs globals;
  final Set<String> consumedArgs;
  final Map<Stage, CompletableFuture<BuildState>> stages = new ConcurrentHashMap<>();
  final AtomicInteger steps = new AtomicInteger();
  final AtomicInteger cachedSteps = new AtomicInteger();

  BuildRun(
      Store store,
      BuildOptions options,
      BuildContext context,
      Progress progress,
      FileDigests digests,
      Workspace workspace,
      LayerWriter layerWriter,
      String created,
      Recipe recipe,
      Map<Integer, String> originals,
      GlobalArgs globals,
      Set<String> consumedArgs) {
    this.store = store;
    this.options = options;
    this.context = context;
    this.progress = progress;
    this.cache = BuildCache.of(store);
    this.digests = digests;
    this.workspace = workspace;
    this.extracted = ExtractedLayers.of(store);
    this.layerWriter = layerWriter;
    this.created = created;
    this.recipe = recipe;
    this.originals = originals;
    this.globals = globals;
    this.consumedArgs = consumedArgs;
  }

  char escape() {
    return recipe.directives().escape();
  }

  /** A history entry for a step, stamped with the build's time. */
  ImageConfig.History history(String createdBy, boolean emptyLayer) {
    return new ImageConfig.History(
        created, createdBy, null, HISTORY_COMMENT, emptyLayer ? Boolean.TRUE : null);
  }

  /**
   * Writes a layer of {@code entries} into the store.
   *
   * @throws IOException if reading a source or writing the blob fails
   */
  LayerRef writeLayer(List<LayerEntry> entries) throws IOException {
    try (BlobWriter w = store.blobs().newWriter()) {
      LayerDigests d =
          Layers.write(
              layerWriter,
              entries,
              w,
              options.compression(),
              options.compression().defaultLevel());
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
        layer == null ? null : layer.blob(), layer == null ? null : layer.diffId(), key.fields()));
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
    ImageDetails details;
    try {
      details = store.images().forPlatform(name, Platform.host());
    } catch (ImageNotFoundException e) {
      throw new BuildException(
          name + ": image not found in the store (load, import or pull it first): "
              + e.getMessage());
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

  /** The built state of an earlier stage (its future is complete: stages wait for their deps). */
  BuildState stageResult(Stage stage) {
    return stages.get(stage).join();
  }
}
