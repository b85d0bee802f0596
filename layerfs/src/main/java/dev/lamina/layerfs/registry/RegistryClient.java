package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.registry.Http1Client.Body;
import dev.lamina.layerfs.registry.Http1Client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The distribution API of one registry ({@code /v2/}): manifests and blobs, read and written, with
 * authentication answered as challenges arrive. Thread-safe: one client serves parallel transfers.
 *
 * <p>Security rules kept here: TLS is verified with the system trust store unless {@code
 * tlsVerify} is off; plain HTTP is only tried for loopback hosts or with {@code tlsVerify} off;
 * redirects are followed by hand, and a redirected request never carries the Authorization header
 * (blob storage such as S3 gets presigned URLs, not the registry's credentials); manifests are read
 * capped at {@link Json#MAX_METADATA_BYTES} and checked against their digest, {@code
 * Docker-Content-Digest} and Content-Type before anything trusts them.
 *
 * <p>{@link #close()} it when done, to close its pooled connections.
 */
public final class RegistryClient implements AutoCloseable {
  /** What {@code GET manifests} accepts, in order of preference. */
  static final List<String> MANIFEST_TYPES =
      List.of(
          MediaType.OCI_INDEX,
          MediaType.OCI_MANIFEST,
          MediaType.DOCKER_MANIFEST_LIST,
          MediaType.DOCKER_MANIFEST);

  private static final int MAX_REDIRECTS = 5;
  /** How long a request waits for the response head (never for a body's transfer). */
  private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final int DOWNLOAD_ATTEMPTS = 5;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final Pattern UPLOAD_RANGE = Pattern.compile("(?:bytes=)?0-(\\d+)");

  private final String registry;
  private final Http1Client http;
  private final RegistryAuth auth;
  private final URI base;

  private RegistryClient(String registry, Http1Client http, RegistryAuth auth, URI base) {
    this.registry = registry;
    this.http = http;
    this.auth = auth;
    this.base = base;
  }

  /**
   * Connects to the registry of {@code ref}: picks https (or, where allowed, http) by pinging
   * {@code /v2/}, and learns how it wants to be authenticated.
   *
   * @throws RegistryException if the registry refuses, or is not a registry
   * @throws IOException if it cannot be reached
   */
  public static RegistryClient connect(String registry, String endpoint, RegistryOptions options)
      throws IOException {
    Credentials creds = options.credentials();
    if (creds == null) {
      creds = options.authFiles().find(registry).orElse(null);
    }
    TlsLayer tls =
        new TlsLayer(options.tlsVerify(), CertsDirs.forRegistry(options.certDir(), registry));
    Http1Client http = new Http1Client(tls, options.proxies(), options.idleTimeout());
    RegistryAuth auth = new RegistryAuth(registry, creds, http);
    try {
      return connect(registry, endpoint, options, http, auth);
    } catch (IOException | RuntimeException e) {
      http.close();
      throw e;
    }
  }

  private static RegistryClient connect(String registry, String endpoint,
      RegistryOptions options, Http1Client http, RegistryAuth auth) throws IOException {
    boolean loopback = Hosts.isLoopback(Hosts.hostOf(endpoint));
    boolean httpAllowed = !options.tlsVerify() || loopback;
    URI https = URI.create("https://" + endpoint);
    if (loopback) {
      // A registry on this host is most often plain HTTP (the docker-registry package, a test):
      // asking it first spares setting up TLS. Only a registry's answer (200 or 401) counts; a
      // TLS server answers plain HTTP with a 400, and then https is tried as anywhere else. The
      // ping carries no credentials, so nothing is given away.
      URI plain = URI.create("http://" + endpoint);
      Answer a;
      try {
        a = probe(registry, http, plain, Duration.ofSeconds(2));
      } catch (IOException e) {
        a = null; // not plain HTTP: try https
      }
      if (a != null && (a.status() == 200 || a.status() == 401)) {
        return accept(registry, http, auth, plain, a);
      }
      return ping(registry, http, auth, https, Duration.ofMinutes(1));
    }
    // Where http may follow, https gets a short probe: a plain-HTTP server may sit silent on a
    // TLS hello instead of refusing it.
    Duration probe = !httpAllowed ? Duration.ofMinutes(1) : Duration.ofSeconds(10);
    try {
      return ping(registry, http, auth, https, probe);
    } catch (SSLException | ConnectException | SocketTimeoutException e) {
      if (!httpAllowed && e instanceof UnreachableException) {
        throw e;
      }
      if (!httpAllowed) {
        throw new IOException("cannot reach registry " + registry + " over https: "
            + e.getMessage(), e);
      }
    } catch (IOException e) {
      if (!httpAllowed || e instanceof RegistryException) {
        throw e;
      }
    }
    return ping(registry, http, auth, URI.create("http://" + endpoint), Duration.ofMinutes(1));
  }

  private static RegistryClient ping(
      String registry, Http1Client http, RegistryAuth auth, URI base, Duration timeout)
      throws IOException {
    return accept(registry, http, auth, base, probe(registry, http, base, timeout));
  }

  /** What {@code GET /v2/} answered. */
  private record Answer(int status, List<Challenge> challenges, byte[] body) {}

  private static Answer probe(String registry, Http1Client http, URI base, Duration timeout)
      throws IOException {
    RegistryClient c = new RegistryClient(registry, http, null, base);
    Response r = c.raw("GET", base.resolve("/v2/"), Map.of(), Body.EMPTY, timeout);
    return new Answer(r.status(), challenges(r), readError(r));
  }

  private static RegistryClient accept(
      String registry, Http1Client http, RegistryAuth auth, URI base, Answer a)
      throws IOException {
    if (a.status() == 401) {
      auth.challenged(a.challenges(), Set.of(), null);
    } else if (a.status() != 200) {
      throw RegistryException.of(registry + " is not a registry (GET /v2/)", a.status(), a.body());
    }
    return new RegistryClient(registry, http, auth, base);
  }


  /** Closes the pooled connections. */
  @Override
  public void close() {
    http.close();
  }

  /** The base URI chosen (https or http). */
  public URI base() {
    return base;
  }

  /**
   * Checks the credentials: a token for no scope (bearer) or {@code GET /v2/} with them (basic).
   *
   * @throws RegistryException if they are refused
   */
  public void checkLogin() throws IOException {
    if (auth.isBearer()) {
      auth.fetchToken();
      return;
    }
    send("GET", base.resolve("/v2/"), Set.of(), Map.of(), Body.EMPTY, 200);
  }

  /** Whether credentials were given or found for this registry. */
  public boolean hasCredentials() {
    return auth.hasCredentials();
  }

  // ---- manifests ----

  /** A manifest or index as the registry sent it, verified. */
  public record ManifestBytes(byte[] bytes, String mediaType, Digest digest) {
    /** Its descriptor. */
    public Descriptor descriptor() {
      return Descriptor.of(mediaType, digest, bytes.length);
    }
  }

  /**
   * Gets a manifest or index by tag or digest, with the Accept list of OCI and Docker schema 2
   * types. Verified: capped in size, its digest equal to a requested digest and to {@code
   * Docker-Content-Digest}, its Content-Type one of those types and equal to its own mediaType,
   * and no ambiguity between manifest and index (CVE-2021-41190).
   *
   * @throws RegistryException if the registry refuses or does not have it
   * @throws DigestMismatchException if the content differs from a digest
   * @throws IOException if the content is not a valid manifest or index
   */
  public ManifestBytes getManifest(String repository, String reference) throws IOException {
    URI uri = api(repository, "manifests/" + reference);
    // A response that stops coming is asked for again, a little later each time.
    for (int attempt = 1; ; attempt++) {
      Response r =
          send("GET", uri, pull(repository), Map.of("Accept", String.join(", ", MANIFEST_TYPES)),
              Body.EMPTY, 200);
      try {
        return verifiedManifest(repository, reference, r, readBody(r, uri));
      } catch (TransferFailedException e) {
        if (attempt >= DOWNLOAD_ATTEMPTS) {
          throw new IOException(e.getMessage() + " (" + attempt + " tries)", e);
        }
        sleep(attempt - 1);
      }
    }
  }

  /**
   * A small body read whole, capped at {@link Json#MAX_METADATA_BYTES}.
   *
   * @throws TransferFailedException if it stops coming or breaks off, saying where and how much
   *     had arrived
   */
  private byte[] readBody(Response r, URI uri) throws IOException {
    long expected = r.header("Content-Length").map(v -> {
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        return -1L;
      }
    }).orElse(-1L);
    long[] received = {0};
    InputStream counted = new java.io.FilterInputStream(r.body()) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          int n = super.read(b, off, len);
          received[0] += Math.max(0, n);
          return n;
        } catch (IOException e) {
          throw new TransferFailedException(
              transferFailure("GET", uri, received[0], expected, e), e);
        }
      }
    };
    try (InputStream in = counted) {
      return Json.readCapped(in);
    }
  }

  /** "REGISTRY: GET PATH: received N of M bytes: CAUSE", for a transfer that broke off. */
  private String transferFailure(
      String method, URI uri, long received, long expected, IOException cause) {
    return "registry " + registry + ": " + method + " " + uri.getRawPath() + ": received "
        + received + (expected >= 0 ? " of " + expected : "") + " bytes: " + cause.getMessage();
  }

  /** A transfer that broke off or stopped coming: it may go better if tried again. */
  static final class TransferFailedException extends IOException {
    TransferFailedException(String message, IOException cause) {
      super(message, cause);
    }
  }

  private ManifestBytes verifiedManifest(
      String repository, String reference, Response r, byte[] bytes) throws IOException {
    String what = "manifest " + repository + ":" + reference;
    String type = contentType(r);
    if (!MANIFEST_TYPES.contains(type)) {
      throw new IOException(what + " has unsupported type " + (type.isEmpty() ? "(none)" : type));
    }
    Digest digest = Digest.sha256(bytes);
    if (Digest.isValid(reference)) {
      Digest wanted = Digest.parse(reference);
      Digest actual = Digest.of(wanted.algorithm(), bytes, 0, bytes.length);
      if (!actual.equals(wanted)) {
        throw new DigestMismatchException(
            what + ": registry sent content with digest " + actual);
      }
      digest = wanted;
    }
    Optional<String> header = r.header("Docker-Content-Digest");
    if (header.isPresent()) {
      Digest said;
      try {
        said = Digest.parse(header.get().trim());
      } catch (IllegalArgumentException e) {
        throw new IOException(what + ": invalid Docker-Content-Digest " + header.get());
      }
      Digest actual = Digest.of(said.algorithm(), bytes, 0, bytes.length);
      if (!actual.equals(said)) {
        throw new DigestMismatchException(
            what + ": content digest " + actual + " != Docker-Content-Digest " + said);
      }
    }
    try {
      if (MediaType.isIndex(type)) {
        Json.readIndex(bytes, type);
      } else {
        Json.readManifest(bytes, type);
      }
    } catch (IOException e) {
      throw new IOException(what + ": " + e.getMessage(), e);
    }
    return new ManifestBytes(bytes, type, digest);
  }

  /**
   * Puts a manifest or index under {@code reference} (a tag or its digest), with its media type as
   * Content-Type.
   *
   * @return the digest of {@code bytes}
   * @throws RegistryException if the registry refuses it, or says it has another digest
   */
  public Digest putManifest(String repository, String reference, String mediaType, byte[] bytes)
      throws IOException {
    Digest digest = Digest.sha256(bytes);
    Response r =
        send("PUT", api(repository, "manifests/" + reference), push(repository),
            Map.of("Content-Type", mediaType), Body.of(bytes), 201);
    drain(r);
    Optional<String> said = r.header("Docker-Content-Digest");
    if (said.isPresent() && !said.get().trim().equals(digest.toString())) {
      throw new RegistryException(
          registry + " stored manifest " + digest + " as " + said.get().trim(), r.status(),
          null);
    }
    return digest;
  }

  // ---- blobs ----

  /**
   * Whether the repository has the blob ({@code HEAD}); the size it reports, or -1 if unknown.
   *
   * @throws RegistryException on an error other than "not found"
   */
  public Optional<Long> blobSize(String repository, Digest digest) throws IOException {
    Response r =
        send("HEAD", api(repository, "blobs/" + digest), pull(repository), Map.of(), Body.EMPTY,
            -1);
    drain(r);
    int s = r.status();
    if (s == 404) {
      return Optional.empty();
    }
    if (s == 200) {
      return Optional.of(r.header("Content-Length").map(v -> {
        try {
          return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
          return -1L;
        }
      }).orElse(-1L));
    }
    if (s >= 300 && s < 400) {
      return Optional.of(-1L); // redirected to storage: it is there
    }
    throw RegistryException.of("checking blob " + digest + " in " + repository, s, null);
  }

  /**
   * Streams blob {@code d} into {@code sink}, exactly {@code d.size()} bytes (a longer body fails
   * at once). An interrupted transfer resumes with a Range request where the registry supports
   * ranges, and skips what it already has where it does not. The caller verifies the digest of
   * what reached {@code sink}.
   *
   * @param urls the descriptor's foreign URLs, tried (without credentials) if the registry does
   *     not have the blob
   * @throws RegistryException if the registry refuses or does not have the blob
   * @throws DigestMismatchException if more than {@code d.size()} bytes arrive
   * @throws IOException if the transfer keeps failing
   */
  public void getBlob(String repository, Descriptor d, OutputStream sink, LongConsumer progress)
      throws IOException {
    long written = 0;
    IOException last = null;
    for (int attempt = 0; attempt < DOWNLOAD_ATTEMPTS && written < d.size(); attempt++) {
      long before = written;
      try {
        written = fetchFrom(repository, d, sink, written, progress);
      } catch (PartialTransferException e) {
        written = e.written;
        last = e;
      } catch (DigestMismatchException | RegistryException e) {
        throw e;
      } catch (IOException e) {
        last = e;
      }
      if (written == before && written < d.size()) {
        sleep(attempt);
      }
    }
    if (written < d.size()) {
      IOException cause =
          last instanceof PartialTransferException && last.getCause() instanceof IOException io
              ? io
              : last;
      throw new IOException(
          transferFailure("GET", api(repository, "blobs/" + d.digest()), written, d.size(),
                  cause == null ? new IOException("no more data") : cause)
              + " (" + DOWNLOAD_ATTEMPTS + " tries)",
          last);
    }
  }

  private long fetchFrom(
      String repository, Descriptor d, OutputStream sink, long offset, LongConsumer progress)
      throws IOException {
    Map<String, String> range = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    Response r;
    try {
      r = send("GET", api(repository, "blobs/" + d.digest()), pull(repository), range,
          Body.EMPTY, -1);
    } catch (RegistryException e) {
      if (e.isNotFound() && !d.urls().isEmpty()) {
        return fetchForeign(d, sink, offset, progress);
      }
      throw e;
    }
    r = followRedirects(r, range);
    if (r.status() == 404 && !d.urls().isEmpty()) {
      drain(r);
      return fetchForeign(d, sink, offset, progress);
    }
    return readBody(r, d, sink, offset, progress, "blob " + d.digest() + " from " + repository);
  }

  /** A foreign layer from its own URLs: no credentials ever go there (CVE-2020-15157). */
  private long fetchForeign(Descriptor d, OutputStream sink, long offset, LongConsumer progress)
      throws IOException {
    IOException last = null;
    for (String url : d.urls()) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
        continue;
      }
      Map<String, String> range = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
      try {
        Response r =
            followRedirects(raw("GET", uri, range, Body.EMPTY, headTimeout("GET")), range);
        return readBody(r, d, sink, offset, progress, "foreign layer " + d.digest() + " from "
            + uri.getHost());
      } catch (RegistryException e) {
        last = e;
      }
    }
    throw last != null
        ? last
        : new IOException("foreign layer " + d.digest() + " has no usable URL");
  }

  private long readBody(
      Response r,
      Descriptor d,
      OutputStream sink,
      long offset,
      LongConsumer progress,
      String what)
      throws IOException {
    int s = r.status();
    long skip;
    if (s == 200) {
      skip = offset; // the server ignored Range: pass over what we have
    } else if (s == 206) {
      String cr = r.header("Content-Range").orElse("");
      Matcher m = CONTENT_RANGE.matcher(cr);
      if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
        drain(r);
        throw new IOException(what + ": unexpected Content-Range " + cr);
      }
      skip = 0;
    } else {
      throw RegistryException.of("getting " + what, s, readError(r));
    }
    long written = offset;
    byte[] buf = new byte[128 * 1024];
    try (InputStream in = r.body()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        int off = 0;
        if (skip > 0) {
          int k = (int) Math.min(skip, n);
          skip -= k;
          off = k;
        }
        int len = n - off;
        if (len == 0) {
          continue;
        }
        if (written + len > d.size()) {
          throw new DigestMismatchException(
              what + ": registry sent more than the blob's size " + d.size());
        }
        sink.write(buf, off, len);
        written += len;
        progress.accept(written);
      }
    } catch (DigestMismatchException e) {
      throw e;
    } catch (IOException e) {
      // Keep what arrived: the caller resumes from here.
      throw new PartialTransferException(what + ": " + e.getMessage(), written, e);
    }
    return written;
  }

  /** An interrupted download that got {@code written} bytes so far. */
  static final class PartialTransferException extends IOException {
    final long written;

    PartialTransferException(String message, long written, IOException cause) {
      super(message, cause);
      this.written = written;
    }
  }

  /**
   * Follows 3xx answers to their Location by hand, without the Authorization header, at most
   * {@link #MAX_REDIRECTS} times, never from https down to http except on loopback.
   */
  private Response followRedirects(
      Response r, Map<String, String> headers) throws IOException {
    for (int hops = 0; isRedirect(r.status()); hops++) {
      if (hops >= MAX_REDIRECTS) {
        drain(r);
        throw new IOException("too many redirects from " + registry);
      }
      String location = r.header("Location").orElse(null);
      drain(r);
      if (location == null) {
        throw new IOException(registry + " redirected without a Location");
      }
      URI from = r.uri();
      URI to = from.resolve(location);
      boolean downgrade = "https".equals(from.getScheme()) && !"https".equals(to.getScheme());
      if (!"https".equals(to.getScheme()) && !"http".equals(to.getScheme())
          || downgrade && !Hosts.isLoopback(to.getHost())) {
        throw new IOException(registry + " redirected to a refused location " + to.getScheme()
            + "://" + to.getHost());
      }
      r = raw("GET", to, headers, Body.EMPTY, headTimeout("GET"));
    }
    return r;
  }

  /** What starting an upload gave: a mounted blob, or the URL to send it to. */
  record UploadStart(boolean mounted, URI location) {}

  /**
   * Starts an upload; with {@code mountFrom}, asks for a cross-repository mount first (201: the
   * blob is linked, nothing to send; 202: a normal upload session).
   */
  UploadStart startUpload(String repository, Digest mount, String mountFrom) throws IOException {
    String query = "";
    Set<String> scopes = push(repository);
    if (mount != null && mountFrom != null) {
      query = "?mount=" + enc(mount.toString()) + "&from=" + enc(mountFrom);
      scopes = new java.util.TreeSet<>(scopes);
      scopes.add("repository:" + mountFrom + ":pull");
    }
    URI uri = URI.create(api(repository, "blobs/uploads/") + query);
    Response r =
        send("POST", uri, scopes, Map.of(), Body.EMPTY, -1);
    drain(r);
    if (r.status() == 201 && mount != null) {
      return new UploadStart(true, null);
    }
    if (r.status() != 202) {
      throw RegistryException.of("starting an upload to " + repository, r.status(), null);
    }
    return new UploadStart(false, location(r));
  }

  /** A monolithic upload: the whole blob in the closing PUT. */
  void putBlob(String repository, URI location, Digest digest, long size,
      BlobUploader.Content content) throws IOException {
    Response r =
        send("PUT", withDigest(location, digest), push(repository),
            Map.of("Content-Type", "application/octet-stream"),
            new Body(size, out -> {
              try (InputStream in = content.open()) {
                in.transferTo(out);
              }
            }), 201);
    drain(r);
  }

  /**
   * A PATCH whose body is written as it is produced (chunked transfer encoding, no
   * Content-Range), for a blob whose digest is known only at its end. Write the body, then {@link
   * #finish()}; or {@link #abort} it. The body cannot be replayed, so a refusal (a 401 for an
   * expired token, say) is not retried here: the caller starts over.
   */
  final class StreamedPatch extends OutputStream {
    private final Http1Client.Exchange exchange;
    private final URI location;

    private StreamedPatch(Http1Client.Exchange exchange, URI location) {
      this.exchange = exchange;
      this.location = location;
    }

    @Override
    public void write(int b) throws IOException {
      exchange.body().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      exchange.body().write(b, off, len);
    }

    /**
     * Ends the body and waits for the registry's answer.
     *
     * @return where the upload goes on (for the closing PUT)
     * @throws RegistryException if the registry refuses the data
     * @throws IOException if the transfer fails
     */
    URI finish() throws IOException {
      Response r = exchange.response();
      if (r.status() != 202) {
        throw RegistryException.of(
            "PATCH " + describe(location) + " at " + registry, r.status(), readError(r));
      }
      drain(r);
      return location(r);
    }

    /** Abandons the request (the session stays for the caller to cancel). */
    void abort() {
      exchange.abort();
    }
  }

  /** Starts a streamed PATCH of the upload at {@code location}. */
  StreamedPatch streamPatch(String repository, URI location) throws IOException {
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put("Content-Type", "application/octet-stream");
    String authz = sameOrigin(location) ? auth.header(push(repository)) : null;
    if (authz != null) {
      headers.put("Authorization", authz);
    }
    return new StreamedPatch(http.open("PATCH", location, headers, -1, DEFAULT_TIMEOUT),
        location);
  }

  /** One chunk; returns the next upload location and the offset the registry has reached. */
  record ChunkResult(URI location, long received) {}

  ChunkResult patchChunk(String repository, URI location, long start, byte[] buf, int off,
      int len) throws IOException {
    Response r =
        send("PATCH", location, push(repository),
            Map.of("Content-Type", "application/octet-stream",
                "Content-Range", start + "-" + (start + len - 1)),
            Body.of(buf, off, len), 202);
    drain(r);
    return new ChunkResult(location(r), received(r));
  }

  /** Where an upload stands (GET on its location). */
  ChunkResult uploadStatus(String repository, URI location) throws IOException {
    Response r =
        send("GET", location, push(repository), Map.of(), Body.EMPTY, 204);
    drain(r);
    return new ChunkResult(location(r), received(r));
  }

  /** Ends a chunked upload: PUT with the digest and no body. */
  void finishUpload(String repository, URI location, Digest digest) throws IOException {
    Response r =
        send("PUT", withDigest(location, digest), push(repository),
            Map.of("Content-Type", "application/octet-stream"), Body.EMPTY, 201);
    drain(r);
  }

  /** Abandons an upload session, ignoring failures. */
  void cancelUpload(String repository, URI location) {
    try {
      drain(send("DELETE", location, push(repository), Map.of(), Body.EMPTY, -1));
    } catch (IOException e) {
      // the registry expires abandoned uploads itself
    }
  }

  private static long received(Response r) {
    String range = r.header("Range").orElse(null);
    if (range == null) {
      return -1;
    }
    Matcher m = UPLOAD_RANGE.matcher(range.trim());
    return m.matches() ? Long.parseLong(m.group(1)) + 1 : -1;
  }

  private URI location(Response r) throws IOException {
    String l = r.header("Location").orElse(null);
    if (l == null) {
      throw new IOException(registry + " answered an upload without a Location");
    }
    return r.uri().resolve(l);
  }

  private static URI withDigest(URI location, Digest digest) {
    String s = location.toString();
    return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + enc(digest.toString()));
  }

  // ---- plumbing ----

  private static Set<String> pull(String repository) {
    return Set.of("repository:" + repository + ":pull");
  }

  private static Set<String> push(String repository) {
    return Set.of("repository:" + repository + ":pull,push");
  }

  private URI api(String repository, String rest) {
    return base.resolve("/v2/" + repository + "/" + rest);
  }

  /**
   * Sends a request to this registry with its credentials, answering one 401 challenge. {@code
   * expect} is the success status (others become a {@link RegistryException}), or -1 to let the
   * caller judge. {@code body} is written again if the request is sent again.
   */
  private Response send(
      String method,
      URI uri,
      Set<String> scopes,
      Map<String, String> headers,
      Body body,
      int expect)
      throws IOException {
    boolean own = sameOrigin(uri);
    for (int attempt = 0; ; attempt++) {
      Map<String, String> all = new java.util.LinkedHashMap<>(headers);
      String authz = own ? auth.header(scopes) : null;
      if (authz != null) {
        all.put("Authorization", authz);
      }
      Response r = raw(method, uri, all, body, headTimeout(method));
      if (r.status() == 401 && own && attempt == 0) {
        drain(r);
        auth.challenged(challenges(r), scopes, authz);
        continue;
      }
      if (expect > 0 && r.status() != expect) {
        throw RegistryException.of(
            method + " " + describe(uri) + " at " + registry, r.status(), readError(r));
      }
      return r;
    }
  }

  /**
   * How long a request waits for its response's head: a GET or HEAD is answered at once by a
   * registry that works, while one that sent a body may first have to store and verify it.
   */
  private Duration headTimeout(String method) {
    return method.equals("GET") || method.equals("HEAD") ? http.idleTimeout() : DEFAULT_TIMEOUT;
  }

  /** One request as given: no credentials added, no redirect followed. */
  private Response raw(String method, URI uri, Map<String, String> headers, Body body,
      Duration timeout) throws IOException {
    return http.send(method, uri, headers, body, timeout);
  }

  private boolean sameOrigin(URI uri) {
    return base.getScheme().equalsIgnoreCase(uri.getScheme())
        && base.getAuthority().equalsIgnoreCase(String.valueOf(uri.getAuthority()));
  }

  private static String describe(URI uri) {
    String p = uri.getPath();
    return p.startsWith("/v2/") ? p.substring(4) : p;
  }

  private static List<Challenge> challenges(Response r) {
    return Challenge.parse(r.headers("WWW-Authenticate"));
  }

  private static String contentType(Response r) {
    String t = r.header("Content-Type").orElse("");
    int semi = t.indexOf(';');
    return (semi < 0 ? t : t.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isRedirect(int s) {
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
  }

  private static byte[] readError(Response r) throws IOException {
    try (InputStream in = r.body()) {
      byte[] b = in.readNBytes(MAX_ERROR_BODY);
      in.transferTo(OutputStream.nullOutputStream());
      return b;
    }
  }

  private static void drain(Response r) throws IOException {
    try (InputStream in = r.body()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private static void sleep(int attempt) throws InterruptedIOException {
    try {
      Thread.sleep(Math.min(2000, 100L << attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
