package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.oci.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to talk to registries and what to transfer. Build with {@link #builder()}; {@link
 * #defaults()} is anonymous-or-stored credentials, verified TLS, layers as stored, this host's
 * platform.
 *
 * @param credentials credentials to use ({@code --creds}); null to look them up in {@code
 *     authFiles}
 * @param authFiles where stored credentials are found
 * @param tlsVerify whether TLS certificates are verified; when false, plain HTTP is also tried
 * @param compression how layers leave on push; null to send them as stored
 * @param compressionLevel the level for {@code compression}; null for its default
 * @param chunkSize 0 to upload each blob in one request (monolithic), else the chunk size in bytes
 * @param jobs blobs transferred at once
 * @param platform the platform to pull from a multi-platform image; null for this host's
 * @param allPlatforms pull a multi-platform image whole instead of one platform
 * @param additionalTags tags the pushed image also gets, in the same repository
 * @param progress hears about each blob
 * @param proxies the HTTP proxies to go through; null for those the environment names
 * @param idleTimeout how long a transfer may go without receiving anything (a response's head to
 *     a GET or HEAD, or a body) before it is given up, and tried again where it can be; null for
 *     {@code LAMINA_REGISTRY_TIMEOUT} from the environment (seconds, or with a unit: {@code 500ms},
 *     {@code 30s}, {@code 2m}), else {@link #DEFAULT_IDLE_TIMEOUT}
 * @param registries what registries.conf says (short names, rewriting, mirrors, insecure and
 *     blocked registries); null to read the files podman reads, when first needed
 * @param certDir the one directory of {@code HOST[:PORT]} directories with TLS material ({@code
 *     --cert-dir}); null for {@link CertsDirs#DEFAULT}
 */
public record RegistryOptions(
    Credentials credentials,
    AuthFiles authFiles,
    boolean tlsVerify,
    Compression compression,
    Integer compressionLevel,
    long chunkSize,
    int jobs,
    Platform platform,
    boolean allPlatforms,
    List<String> additionalTags,
    TransferProgress progress,
    ProxySelection proxies,
    Duration idleTimeout,
    RegistriesConf registries,
    Path certDir) {

  /** Blobs moved at once unless told otherwise. */
  public static final int DEFAULT_JOBS = 3;

  /** How long a transfer may receive nothing, unless told otherwise. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** The environment variable that sets {@link #idleTimeout()}. */
  public static final String TIMEOUT_VARIABLE = "LAMINA_REGISTRY_TIMEOUT";

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)?");

  public RegistryOptions {
    Objects.requireNonNull(authFiles, "authFiles");
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunk size must not be negative");
    }
    if (jobs < 1) {
      throw new IllegalArgumentException("jobs must be at least 1");
    }
    additionalTags = additionalTags == null ? List.of() : List.copyOf(additionalTags);
    progress = progress == null ? TransferProgress.NONE : progress;
    proxies = proxies == null ? ProxySelection.fromEnvironment(System.getenv()) : proxies;
    idleTimeout = idleTimeout == null ? idleTimeoutFrom(System.getenv()) : idleTimeout;
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("the registry timeout must be positive");
    }
  }

  /**
   * The idle timeout {@code env} sets with {@value #TIMEOUT_VARIABLE}, else the default.
   *
   * @throws IllegalArgumentException if the variable is set to something else than a duration
   */
  public static Duration idleTimeoutFrom(Map<String, String> env) {
    String v = env.get(TIMEOUT_VARIABLE);
    if (v == null || v.isBlank()) {
      return DEFAULT_IDLE_TIMEOUT;
    }
    Matcher m = DURATION.matcher(v.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(TIMEOUT_VARIABLE + "=" + v
          + ": not a positive duration (seconds, or with ms, s or m)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofSeconds(n);
    };
  }

  /**
   * What registries.conf says: the given configuration, else the files podman reads.
   *
   * @throws IOException if a file cannot be read or is not valid
   */
  public RegistriesConf registriesConf() throws IOException {
    return registries != null ? registries : RegistriesConf.load();
  }

  /** These options with TLS verification (and plain HTTP) as {@code verify} says. */
  public RegistryOptions withTlsVerify(boolean verify) {
    return new RegistryOptions(credentials, authFiles, verify, compression, compressionLevel,
        chunkSize, jobs, platform, allPlatforms, additionalTags, progress, proxies, idleTimeout,
        registries, certDir);
  }

  /** The defaults (see the class comment). */
  public static RegistryOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The platform to pull: the given one, else this host's. */
  public Platform targetPlatform() {
    return platform != null ? platform : Platform.host();
  }

  /** The level layers are compressed at. */
  public int level() {
    return compressionLevel != null
        ? compressionLevel
        : compression == null ? 0 : compression.defaultLevel();
  }

  /** Builds {@link RegistryOptions}. */
  public static final class Builder {
    private Credentials credentials;
    private Path authFile;
    private boolean tlsVerify = true;
    private Compression compression;
    private Integer compressionLevel;
    private long chunkSize;
    private int jobs = DEFAULT_JOBS;
    private Platform platform;
    private boolean allPlatforms;
    private List<String> additionalTags = List.of();
    private TransferProgress progress = TransferProgress.NONE;
    private ProxySelection proxies;
    private Duration idleTimeout;
    private RegistriesConf registries;
    private Path certDir;

    private Builder() {}

    /** The registries.conf to follow instead of the files podman reads. */
    public Builder registries(RegistriesConf conf) {
      this.registries = conf;
      return this;
    }

    /** The one directory of TLS material per registry ({@code --cert-dir}); null for defaults. */
    public Builder certDir(Path dir) {
      this.certDir = dir;
      return this;
    }

    public Builder credentials(Credentials c) {
      this.credentials = c;
      return this;
    }

    /** The one auth file to use ({@code --authfile}); null for the default files. */
    public Builder authFile(Path file) {
      this.authFile = file;
      return this;
    }

    public Builder tlsVerify(boolean verify) {
      this.tlsVerify = verify;
      return this;
    }

    public Builder compression(Compression c) {
      this.compression = c;
      return this;
    }

    public Builder compressionLevel(Integer level) {
      this.compressionLevel = level;
      return this;
    }

    public Builder chunkSize(long bytes) {
      this.chunkSize = bytes;
      return this;
    }

    public Builder jobs(int n) {
      this.jobs = n;
      return this;
    }

    public Builder platform(Platform p) {
      this.platform = p;
      return this;
    }

    public Builder allPlatforms(boolean all) {
      this.allPlatforms = all;
      return this;
    }

    public Builder additionalTags(List<String> tags) {
      this.additionalTags = tags;
      return this;
    }

    public Builder progress(TransferProgress p) {
      this.progress = p;
      return this;
    }

    /** The proxies to use instead of those the environment names. */
    public Builder proxies(ProxySelection p) {
      this.proxies = p;
      return this;
    }

    /** How long a transfer may receive nothing (see the record); null for the environment's. */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = d;
      return this;
    }

    public RegistryOptions build() {
      return new RegistryOptions(
          credentials,
          AuthFiles.of(authFile),
          tlsVerify,
          compression,
          compressionLevel,
          chunkSize,
          jobs,
          platform,
          allPlatforms,
          additionalTags,
          progress,
          proxies,
          idleTimeout,
          registries,
          certDir);
    }
  }
}
