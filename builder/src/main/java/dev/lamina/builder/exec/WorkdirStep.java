package dev.lamina.builder.exec;

import dev.lamina.builder.cache.CacheKey;
import dev.lamina.builder.cache.CachedLayer;
import dev.lamina.builder.copy.Paths;
import dev.lamina.builder.copy.Placement;
import dev.lamina.builder.copy.RootView;
import dev.lamina.builder.recipe.Workdir;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.tar.LayerEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * WORKDIR: sets the working directory (relative paths against the current one) and, as BuildKit
 * does, creates it when it does not exist, owned by the current USER. A directory that already
 * exists adds no layer.
 */
final class WorkdirStep {
  private WorkdirStep() {}

  static BuildState apply(Interpreter in, BuildState state, Workdir w) throws IOException {
    String wd = Paths.workdir(state.container().workingDir(), w.path());
    state = state.withContainer(state.container().toBuilder().workingDir(wd).build());
    String history = "WORKDIR " + wd;
    if (wd.equals("/")) {
      return state.withHistory(in.run.history(history, true));
    }
    String user = state.container().user();
    Progress.Step step = in.begin(in.display(w, state));
    CacheKey key =
        in.run.cacheKey("WORKDIR")
            .field("parent", state.chainId())
            .field("dir", wd)
            .field("user", user == null ? "" : user)
            .build();
    Optional<CachedLayer> hit = in.run.cached(key);
    if (hit.isPresent()) {
      in.run.cachedSteps.incrementAndGet();
      if (in.run.options.explainCache()) {
        step.explain("cache: hit " + key.digest().shortHex());
      }
      step.cached();
      ImageConfig.History entry = in.run.history(history, hit.get());
      return hit.get().layer() == null
          ? state.withHistory(entry)
          : state.withLayer(new LayerRef(hit.get().layer(), hit.get().diffId()), entry);
    }
    if (in.run.options.explainCache()) {
      in.run.explainMiss(step, key);
    }
    try {
      LayerRef layer = create(in, state, Paths.clean(wd), user);
      in.run.remember(key, layer);
      step.done();
      return withResult(in, state, layer, history);
    } catch (IOException e) {
      step.failed(e.getMessage());
      throw e;
    }
  }

  private static LayerRef create(Interpreter in, BuildState state, String wd, String user)
      throws IOException {
    if (state.layers().isEmpty()) {
      Placement.Owner owner =
          user == null || user.isEmpty() ? null : Owners.resolve(user, null);
      return in.run.writeLayer(
          Placement.directories(wd, RootView.empty(), owner, in.run.fileTime()));
    }
    try (MountedRootfs rootfs = MountedRootfs.mount(in.run.extracted, state.layers(),
        in.run.workspace)) {
      RootView view = RootView.of(rootfs.root());
      String resolved = view.resolve(wd);
      Optional<FileStat> existing = view.lstat(resolved);
      if (existing.isPresent() && existing.get().isDirectory()) {
        return null;
      }
      Placement.Owner owner =
          user == null || user.isEmpty() ? null : Owners.resolve(user, rootfs.root());
      List<LayerEntry> entries = Placement.directories(wd, view, owner, in.run.fileTime());
      return in.run.writeLayer(entries);
    }
  }

  private static BuildState withResult(
      Interpreter in, BuildState state, LayerRef layer, String history) {
    return layer == null
        ? state.withHistory(in.run.history(history, true))
        : state.withLayer(layer, in.run.history(history, false));
  }
}
