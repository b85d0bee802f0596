package dev.lamina.builder.exec;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.registry.RegistryOptions;
import dev.lamina.layerfs.transport.PullPolicy;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.spec.EtcFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to build and how (the flags of {@code lamina build}).
 *
 * @param contextDir the build context directory
 * @param recipeFile the recipe file, or null when {@code recipeText} is given (read from stdin)
 * @param recipeText the recipe's text, or null to read {@code recipeFile}
 * @param tags names for the image ({@code -t}); may be empty
 * @param buildArgs {@code --build-arg} values
 * @param target the stage to build ({@code --target}); null for the last one
 * @param noCache {@code --no-cache}: run every step, writing the cache afresh
 * @param labels {@code --label} values added to the image
 * @param platform {@code --platform}; only the host's is accepted; null for the host's
 * @param squash {@code --squash}: the layers this build adds become one
 * @param volumes {@code -v HOST:CTR[:ro|rw]} binds for every RUN, read-only unless {@code rw}
 * @param explainCache say for each step why it hit or missed the cache
 * @param compression how layers this build writes are compressed
 * @param sourceDateEpoch SOURCE_DATE_EPOCH from the environment, or null (a build argument of
 *     that name wins); when one is given the build is reproducible: later file times are clamped
 *     to it, and it is the image's and history's time
 * @param reproducible {@code --reproducible}: a reproducible build even without SOURCE_DATE_EPOCH,
 *     whose epoch is then {@link dev.lamina.layerfs.tar.LayerWriter#DEFAULT_EPOCH}
 * @param parallelism how many independent stages may build at once
 * @param secrets {@code --secret} files by id, for {@code RUN --mount=type=secret}
 * @param ssh {@code --ssh} agents by id, for {@code RUN --mount=type=ssh} and ({@code default})
 *     git sources over ssh: an agent's socket, or key files for an agent the build starts
 * @param hostFiles where the host's {@code hosts} and {@code resolv.conf} are read for the RUN
 *     steps' own copies; the host's {@code /etc} by default
 * @param runtime the OCI runtime RUN steps run under; null for runc, keeping its state in the
 *     store's {@code runtime/runc}
 * @param network {@code --network}: the mode of the RUN steps that do not say, or say {@code
 *     default}; {@link RunNetwork#DEFAULT} when null
 * @param networkDefaults how the store's default network is made when a build first needs it;
 *     {@link NetworkDefaults#standard()} when null
 * @param pull when a {@code FROM} image is pulled ({@code --pull}); {@link PullPolicy#MISSING}
 *     when null
 * @param registry how images are pulled (credentials, TLS, registries.conf, progress); the
 *     defaults when null
 */
public record BuildOptions(
    Path contextDir,
    Path recipeFile,
    String recipeText,
    List<String> tags,
    Map<String, String> buildArgs,
    String target,
    boolean noCache,
    Map<String, String> labels,
    String platform,
    boolean squash,
    List<String> volumes,
    boolean explainCache,
    Compression compression,
    String sourceDateEpoch,
    boolean reproducible,
    int parallelism,
    Map<String, Path> secrets,
    Map<String, List<Path>> ssh,
    EtcFiles.HostFiles hostFiles,
    OciRuntime runtime,
    RunNetwork network,
    NetworkDefaults networkDefaults,
    PullPolicy pull,
    RegistryOptions registry) {

  public BuildOptions {
    Objects.requireNonNull(contextDir, "contextDir");
    tags = List.copyOf(tags);
    buildArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    volumes = List.copyOf(volumes);
    compression = compression == null ? Compression.NONE : compression;
    parallelism = Math.max(1, parallelism);
    secrets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
    ssh = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ssh));
    hostFiles = hostFiles == null ? EtcFiles.HostFiles.system() : hostFiles;
    network = network == null ? RunNetwork.DEFAULT : network;
    networkDefaults = networkDefaults == null ? NetworkDefaults.standard() : networkDefaults;
    pull = pull == null ? PullPolicy.MISSING : pull;
    registry = registry == null ? RegistryOptions.defaults() : registry;
  }

  /** A builder for a build of the context {@code contextDir}. */
  public static Builder builder(Path contextDir) {
    return new Builder(contextDir);
  }

  /** Mutable builder for {@link BuildOptions}. */
  public static final class Builder {
    private final Path contextDir;
    private Path recipeFile;
    private String recipeText;
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> buildArgs = new LinkedHashMap<>();
    private String target;
    private boolean noCache;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String platform;
    private boolean squash;
    private final List<String> volumes = new ArrayList<>();
    private boolean explainCache;
    private Compression compression = Compression.NONE;
    private String sourceDateEpoch;
    private boolean reproducible;
    private int parallelism = 2;
    private final Map<String, Path> secrets = new LinkedHashMap<>();
    private final Map<String, List<Path>> ssh = new LinkedHashMap<>();
    private EtcFiles.HostFiles hostFiles;
    private OciRuntime runtime;
    private RunNetwork network;
    private NetworkDefaults networkDefaults;
    private PullPolicy pull;
    private RegistryOptions registry;

    /** When FROM images are pulled ({@code --pull}). */
    public Builder pull(PullPolicy v) {
      pull = v;
      return this;
    }

    /** How FROM images are pulled. */
    public Builder registry(RegistryOptions v) {
      registry = v;
      return this;
    }

    public Builder runtime(OciRuntime v) {
      runtime = v;
      return this;
    }

    public Builder network(RunNetwork v) {
      network = v;
      return this;
    }

    public Builder networkDefaults(NetworkDefaults v) {
      networkDefaults = v;
      return this;
    }

    private Builder(Path contextDir) {
      this.contextDir = contextDir;
    }

    public Builder recipeFile(Path v) {
      recipeFile = v;
      return this;
    }

    public Builder recipeText(String v) {
      recipeText = v;
      return this;
    }

    public Builder tag(String v) {
      tags.add(v);
      return this;
    }

    public Builder buildArg(String name, String value) {
      buildArgs.put(name, value);
      return this;
    }

    public Builder target(String v) {
      target = v;
      return this;
    }

    public Builder noCache(boolean v) {
      noCache = v;
      return this;
    }

    public Builder label(String name, String value) {
      labels.put(name, value);
      return this;
    }

    public Builder platform(String v) {
      platform = v;
      return this;
    }

    public Builder squash(boolean v) {
      squash = v;
      return this;
    }

    public Builder volume(String v) {
      volumes.add(v);
      return this;
    }

    public Builder explainCache(boolean v) {
      explainCache = v;
      return this;
    }

    public Builder compression(Compression v) {
      compression = v;
      return this;
    }

    public Builder sourceDateEpoch(String v) {
      sourceDateEpoch = v;
      return this;
    }

    public Builder reproducible(boolean v) {
      reproducible = v;
      return this;
    }

    public Builder parallelism(int v) {
      parallelism = v;
      return this;
    }

    public Builder secret(String id, Path file) {
      secrets.put(id, file);
      return this;
    }

    /** {@code --ssh id=path[,path]}: an agent socket, or key files. */
    public Builder ssh(String id, List<Path> paths) {
      ssh.put(id, List.copyOf(paths));
      return this;
    }

    /** Where the host's {@code hosts} and {@code resolv.conf} are read for RUN steps. */
    public Builder hostFiles(EtcFiles.HostFiles v) {
      hostFiles = v;
      return this;
    }

    public BuildOptions build() {
      return new BuildOptions(contextDir, recipeFile, recipeText, tags, buildArgs, target,
          noCache, labels, platform, squash, volumes, explainCache, compression,
          sourceDateEpoch, reproducible, parallelism, secrets, ssh, hostFiles, runtime, network,
          networkDefaults, pull, registry);
    }
  }
}
