package dev.lamina.layerfs.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP front for a real registry on 127.0.0.1, for what a well-behaved registry never
 * does: it logs every request, and on demand corrupts a blob, cuts a blob download short once,
 * stalls a download part-way (keeping the connection open, sending nothing more),
 * fails a chunk upload, redirects blob downloads to a separate "storage" server, or demands
 * Bearer tokens from its own token service.
 */
final class RegistryProxy implements AutoCloseable {
  /** One request as the proxy saw it. */
  record Seen(
      String method, String path, String query, int status, String authorization, String range,
      String contentRange) {
    Seen(String method, String path, String query, int status, String authorization,
        String range) {
      this(method, path, query, status, authorization, range, null);
    }
  }

  private static final Set<String> HOP_BY_HOP =
      Set.of("content-length", "transfer-encoding", "connection", "keep-alive", "host", "date");

  private final HttpServer server;
  private final HttpServer storage;
  private final String upstream;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER).build();
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  final List<Seen> storageSeen = new CopyOnWriteArrayList<>();
  final List<String> tokenScopes = new CopyOnWriteArrayList<>();
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final AtomicInteger patches = new AtomicInteger();

  volatile String corruptDigest;
  volatile String truncateDigest;
  volatile int truncateAfter;
  volatile int failPatch = -1;
  volatile boolean redirectBlobs;
  volatile String bearerUser;
  volatile String bearerPassword;
  volatile boolean bearer;
  /** GETs whose path ends so send {@link #stallAfter} bytes of their body, then nothing. */
  volatile String stallPath;
  volatile int stallAfter;
  /** Range headers are not passed on: the registry answers with the whole blob. */
  volatile boolean ignoreRange;
  /** How many such GETs stall; those after are served whole. */
  final AtomicInteger stalls = new AtomicInteger();
  private final java.util.concurrent.CountDownLatch closing =
      new java.util.concurrent.CountDownLatch(1);

  RegistryProxy(String upstreamAddress) throws IOException {
    this.upstream = "http://" + upstreamAddress;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
    storage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    storage.createContext("/", this::serveStorage);
    storage.setExecutor(Executors.newCachedThreadPool());
    storage.start();
  }

  /** Counts PATCHes from zero again, for {@link #failPatch}. */
  void resetPatches() {
    patches.set(0);
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  List<Seen> requests(String method, String pathPart) {
    List<Seen> out = new ArrayList<>();
    for (Seen s : seen) {
      if (s.method.equals(method) && s.path.contains(pathPart)) {
        out.add(s);
      }
    }
    return out;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      URI uri = ex.getRequestURI();
      String path = uri.getRawPath();
      String authz = ex.getRequestHeaders().getFirst("Authorization");
      byte[] body = ex.getRequestBody().readAllBytes();
      if (path.equals("/token")) {
        serveToken(ex, uri, authz);
        return;
      }
      if (bearer && !(authz != null && authz.startsWith("Bearer ")
          && tokens.contains(authz.substring(7)))) {
        ex.getResponseHeaders().add("WWW-Authenticate",
            "Bearer realm=\"http://" + address() + "/token\",service=\"lamina-test\"");
        respond(ex, method, path, uri, 401, authz, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        return;
      }
      if (method.equals("PATCH") && patches.incrementAndGet() == failPatch) {
        respond(ex, method, path, uri, 503, authz, "overloaded");
        return;
      }
      boolean blobGet = method.equals("GET") && path.contains("/blobs/sha256:");
      if (blobGet && redirectBlobs) {
        String target = "http://127.0.0.1:" + storage.getAddress().getPort() + path;
        ex.getResponseHeaders().add("Location", target);
        respond(ex, method, path, uri, 307, authz, "");
        return;
      }
      HttpResponse<InputStream> r = forward(ex, method, uri, body);
      seen.add(new Seen(method, path, uri.getRawQuery(), r.statusCode(), authz,
          ex.getRequestHeaders().getFirst("Range"),
          ex.getRequestHeaders().getFirst("Content-Range")));
      r.headers().map().forEach((k, vs) -> {
        if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT))) {
          for (String v : vs) {
            ex.getResponseHeaders().add(k, v.replace(upstream, "http://" + address()));
          }
        }
      });
      long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      relayBody(ex, method, path, r, length);
    }
  }

  private void relayBody(HttpExchange ex, String method, String path,
      HttpResponse<InputStream> r, long length) throws IOException {
    try (InputStream in = r.body()) {
      if (method.equals("HEAD") || length == 0 || r.statusCode() == 204) {
        ex.sendResponseHeaders(r.statusCode(), -1);
        return;
      }
      boolean corrupt = corruptDigest != null && path.endsWith("/blobs/" + corruptDigest)
          && r.statusCode() == 200;
      boolean truncate = truncateDigest != null && path.endsWith("/blobs/" + truncateDigest)
          && r.statusCode() == 200;
      if (truncate) {
        truncateDigest = null; // once
      }
      boolean stall = stallPath != null && method.equals("GET") && path.endsWith(stallPath)
          && (r.statusCode() == 200 || r.statusCode() == 206)
          && stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      ex.sendResponseHeaders(r.statusCode(), length < 0 ? 0 : length);
      OutputStream out = ex.getResponseBody();
      byte[] all = in.readAllBytes();
      if (corrupt && all.length > 0) {
        all[all.length / 2] ^= 0x01;
      }
      if (truncate) {
        out.write(all, 0, Math.min(truncateAfter, all.length));
        out.flush();
        // Cut the connection: the client sees a body shorter than Content-Length.
        throw new IOException("cut short on purpose");
      }
      if (stall) {
        out.write(all, 0, Math.min(stallAfter, all.length));
        out.flush();
        // The connection stays open with nothing more on it, until the proxy closes.
        try {
          closing.await(2, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("stalled on purpose");
      }
      out.write(all);
    }
  }

  private HttpResponse<InputStream> forward(HttpExchange ex, String method, URI uri, byte[] body)
      throws IOException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(upstream + uri.getRawPath()
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
    ex.getRequestHeaders().forEach((k, vs) -> {
      String lk = k.toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(lk) && !lk.equals("expect") && !lk.equals("upgrade")
          && !(bearer && lk.equals("authorization")) && !(ignoreRange && lk.equals("range"))) {
        vs.forEach(v -> rb.header(k, v));
      }
    });
    rb.method(method, body.length == 0 && !method.equals("PUT") && !method.equals("PATCH")
        && !method.equals("POST")
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      return http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private void serveToken(HttpExchange ex, URI uri, String authz) throws IOException {
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    tokenScopes.add(java.net.URLDecoder.decode(query, StandardCharsets.UTF_8));
    if (bearerUser != null) {
      String expected = "Basic " + Base64.getEncoder().encodeToString(
          (bearerUser + ":" + bearerPassword).getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(authz)) {
        respond(ex, "GET", "/token", uri, 401, authz, "{\"details\":\"bad credentials\"}");
        return;
      }
    }
    String token = UUID.randomUUID().toString();
    tokens.add(token);
    respond(ex, "GET", "/token", uri, 200, authz, "{\"token\":\"" + token + "\"}");
  }

  /** Serves blobs as a storage backend would, taking them from the registry without auth. */
  private void serveStorage(HttpExchange ex) throws IOException {
    try (ex) {
      String authz = ex.getRequestHeaders().getFirst("Authorization");
      HttpResponse<InputStream> r = forward(ex, "GET", ex.getRequestURI(), new byte[0]);
      storageSeen.add(new Seen("GET", ex.getRequestURI().getPath(), null, r.statusCode(), authz,
          ex.getRequestHeaders().getFirst("Range")));
      r.headers().map().forEach((k, vs) -> {
        if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT))) {
          vs.forEach(v -> ex.getResponseHeaders().add(k, v));
        }
      });
      relayBody(ex, "GET", ex.getRequestURI().getPath(), r,
          r.headers().firstValueAsLong("Content-Length").orElse(-1));
    }
  }

  private void respond(HttpExchange ex, String method, String path, URI uri, int status,
      String authz, String text) throws IOException {
    seen.add(new Seen(method, path, uri.getRawQuery(), status, authz, null));
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length == 0 || method.equals("HEAD") ? -1 : b.length);
    if (b.length > 0 && !method.equals("HEAD")) {
      ex.getResponseBody().write(b);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    storage.stop(0);
  }
}
