package dev.lamina.builder.exec;

import dev.lamina.builder.context.BuildContext;
import dev.lamina.builder.context.FileDigests;
import dev.lamina.builder.parse.Node;
import dev.lamina.builder.parse.ParseException;
import dev.lamina.builder.parse.ParseResult;
import dev.lamina.builder.parse.Parser;
import dev.lamina.builder.parse.RecipeText;
import dev.lamina.builder.recipe.Recipe;
import dev.lamina.builder.recipe.Recipes;
import dev.lamina.builder.recipe.Stage;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.posix.NativeFunctions;
import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.store.Lease;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.LayerWriter;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code lamina build}: a recipe and a context to an image in the store.
 *
 * <p>The recipe is parsed whole first (an error anywhere stops the build before anything runs);
 * the stages the target needs are found and built, independent ones at once, each step asking
 * the build cache first; the target's final state is written as an image and named.
 */
public final class Builder {
  private Builder() {}

  /**
   * Builds.
   *
   * @throws ParseException if the recipe is malformed
   * @throws BuildException if a step fails, a source or base image is missing, or an option is
   *     invalid
   * @throws IOException if the store or the context cannot be read or written
   * @throws InterruptedException if interrupted while a RUN step runs
   */
  public static BuildResult build(Store store, BuildOptions options, Progress progress)
      throws IOException, ParseException, InterruptedException {
    // Every build walks a context or hashes a layer through native calls (xattrs, libcrypto):
    // jffi loads meanwhile, off the path of the recipe's parsing and the store's work.
    NativeFunctions.loadInBackground();
    checkPlatform(options.platform());
    String name;
    String text;
    if (options.recipeText() != null) {
      name = options.recipeFile() == null ? "Dockerfile" : options.recipeFile().getFileName()
          .toString();
      text = options.recipeText();
    } else {
      name = options.recipeFile().getFileName().toString();
      text = RecipeText.read(options.recipeFile());
    }
    Progress.Step load = progress.begin("[internal] load build definition from " + name);
    ParseResult parsed = Parser.parse(text, name);
    Recipe recipe = Recipes.fromParse(parsed);
    load.done();
    Map<Integer, String> originals = new HashMap<>();
    for (Node n : parsed.nodes()) {
      originals.put(n.range().startLine(), n.original());
    }
    Progress.Step ignore = progress.begin("[internal] load .dockerignore");
    BuildContext context = BuildContext.open(options.contextDir(), options.recipeFile());
    ignore.done();

    Set<String> consumed = Collections.synchronizedSet(new LinkedHashSet<>());
    GlobalArgs globals;
    try {
      globals = GlobalArgs.evaluate(recipe.globalArgs(), options.buildArgs(),
          recipe.directives().escape(), consumed);
    } catch (dev.lamina.builder.expand.ExpansionException e) {
      throw new BuildException(name + ": " + e.getMessage());
    }
    LayerWriter writer = layerWriter(options, globals);
    Instant epoch = writer.epoch().orElse(null);
    String created = DateTimeFormatter.ISO_INSTANT.format(
        (epoch != null ? epoch : Instant.now().with(java.time.temporal.ChronoField.NANO_OF_SECOND,
            0)).atOffset(ZoneOffset.UTC));

    Stage target = recipe.finalStage();
    if (options.target() != null) {
      target = recipe.stages().stream()
          .filter(s -> options.target().equalsIgnoreCase(s.name()))
          .findFirst()
          .orElseThrow(() -> new BuildException(
              "target stage \"" + options.target() + "\" could not be found"));
    }
    List<Stage> needed = Stages.needed(recipe, target, globals.values(),
        recipe.directives().escape());

    FileDigests digests =
        FileDigests.forContext(store.cacheDir().resolve("digests"), context.dir());
    ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), r -> {
      Thread t = new Thread(r, "stage");
      t.setDaemon(true);
      return t;
    });
    try (digests;
        Lease lease = store.lease();
        Workspace workspace = Workspace.create(store);
        SshAgents sshAgents = SshAgents.open(options.ssh());
        BuildNetwork network =
            BuildNetwork.of(store, workspace.dir(), options.networkDefaults());
        // Closed before the network: no step is left in the namespace when it is torn down.
        StepContainers stepContainers = new StepContainers()) {
      BuildRun run = new BuildRun(store, options, context, progress, digests, workspace,
          sshAgents, stepContainers, network, writer,
          created, recipe, originals, globals, consumed);
      for (Stage s : needed) {
        List<Stage> deps = Stages.dependencies(recipe, s, globals.values(),
            recipe.directives().escape());
        CompletableFuture<?>[] waits = new CompletableFuture<?>[deps.size()];
        for (int i = 0; i < waits.length; i++) {
          waits[i] = run.stages.get(deps.get(i).index());
        }
        Interpreter in = new Interpreter(run, s, Stages.label(recipe, s),
            Stages.stepCount(recipe, s, globals.values(), recipe.directives().escape()));
        run.stages.put(s.index(), CompletableFuture.allOf(waits).thenApplyAsync(ignored -> {
          try {
            return in.build();
          } catch (IOException e) {
            throw new CompletionException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
          }
        }, pool));
      }
      BuildState result;
      try {
        result = run.stages.get(target.index()).join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
          cause = cause.getCause();
        }
        if (cause instanceof IOException io) {
          throw io;
        }
        if (cause instanceof InterruptedException ie) {
          throw ie;
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new BuildException(String.valueOf(cause), cause);
      }
      digests.save();
      warnUnused(options, consumed, progress);
      if (options.squash()) {
        result = Squash.squash(run, result, baseLayerCount(run, target, globals));
      }
      Progress.Step export = progress.begin("exporting to image");
      ImageConfig config = finalConfig(result, options, run);
      List<dev.lamina.layerfs.oci.Descriptor> blobs = new ArrayList<>();
      for (LayerRef l : result.layers()) {
        blobs.add(l.blob());
      }
      ResolvedImage image = store.images().write(config, blobs,
          options.tags().toArray(String[]::new));
      progress.message("#" + "0 writing image " + image.id() + " done");
      for (String n : image.names()) {
        progress.message("#0 naming to " + n + " done");
      }
      export.done();
      store.events().event(
          dev.lamina.layerfs.events.Event.now(
              dev.lamina.layerfs.events.Event.IMAGE, "build", image.id().toString(),
              image.names().isEmpty()
                  ? java.util.Map.of()
                  : java.util.Map.of("name", image.names().get(0))));
      return new BuildResult(image.id(), image.target(), image.names(), config,
          run.steps.get(), run.cachedSteps.get());
    } finally {
      pool.shutdownNow();
    }
  }

  private static int baseLayerCount(BuildRun run, Stage target, GlobalArgs globals)
      throws IOException {
    Stage s = target;
    while (true) {
      String base;
      try {
        base = dev.lamina.builder.expand.Expander.of(run.escape(), globals.values())
            .word(s.from().image());
      } catch (dev.lamina.builder.expand.ExpansionException e) {
        return 0;
      }
      Stage earlier = Stages.earlierStage(run.recipe, s, base);
      if (earlier != null) {
        s = earlier;
        continue;
      }
      return base.equalsIgnoreCase("scratch") ? 0 : run.imageState(base).layers().size();
    }
  }

  private static ImageConfig finalConfig(BuildState state, BuildOptions options, BuildRun run) {
    ImageConfig config = run.settleTimes(state.config());
    if (!options.labels().isEmpty()) {
      Map<String, String> labels = new TreeMap<>(
          config.config().labels() == null ? Map.of() : config.config().labels());
      labels.putAll(options.labels());
      config = config.withConfig(config.config().toBuilder().labels(labels).build());
    }
    return config;
  }

  private static void warnUnused(BuildOptions options, Set<String> consumed, Progress progress) {
    List<String> unused = new ArrayList<>();
    for (String arg : options.buildArgs().keySet()) {
      if (!consumed.contains(arg) && !GlobalArgs.PREDEFINED.contains(arg)) {
        unused.add(arg);
      }
    }
    if (!unused.isEmpty()) {
      progress.message("[Warning] One or more build-args " + unused + " were not consumed");
    }
  }

  /**
   * How this build writes file times: each file's own (BuildKit's rule), or, for a reproducible
   * build, clamped to its epoch. The epoch is SOURCE_DATE_EPOCH as a build argument, else from
   * the environment (as buildx and buildctl pass it on), else a global ARG's default, as BuildKit
   * takes it; {@code --reproducible} without one takes {@link LayerWriter#DEFAULT_EPOCH}.
   */
  private static LayerWriter layerWriter(BuildOptions options, GlobalArgs globals)
      throws BuildException {
    String text = options.buildArgs().containsKey("SOURCE_DATE_EPOCH")
        ? options.buildArgs().get("SOURCE_DATE_EPOCH")
        : options.sourceDateEpoch() != null ? options.sourceDateEpoch()
        : globals.values().get("SOURCE_DATE_EPOCH");
    LayerWriter writer;
    try {
      writer = LayerWriter.withSourceDateEpoch(text);
    } catch (IllegalArgumentException e) {
      throw new BuildException("invalid SOURCE_DATE_EPOCH: " + text
          + " (it must be a whole number of seconds since 1970)");
    }
    return writer.epoch().isEmpty() && options.reproducible()
        ? LayerWriter.clampedTo(LayerWriter.DEFAULT_EPOCH)
        : writer;
  }

  /** Only the host's platform can be built (no emulation). */
  static void checkPlatform(String platform) throws BuildException {
    if (platform == null || platform.isEmpty()) {
      return;
    }
    Platform host = Platform.host();
    for (String p : platform.split(",")) {
      Platform wanted;
      try {
        wanted = Platform.parse(p.trim());
      } catch (IllegalArgumentException e) {
        throw new BuildException("invalid platform " + p + ": " + e.getMessage());
      }
      if (!host.matches(wanted)) {
        throw new BuildException("cannot build for platform " + p.trim() + ": only this host's "
            + "platform (" + host + ") can be built, Lamina does not emulate other CPUs");
      }
    }
  }
}
