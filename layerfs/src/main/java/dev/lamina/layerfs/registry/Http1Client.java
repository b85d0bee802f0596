package dev.lamina.layerfs.registry;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A small HTTP/1.1 client on blocking sockets, for the registry API: one request at a time per
 * connection, keep-alive connections pooled per origin, bodies of known length or chunked and
 * streamed from the caller's own thread, responses framed by Content-Length, chunks or the end
 * of the connection. Redirects are never followed here.
 *
 * <p>Why not {@link java.net.http.HttpClient}: it sets up TLS even for plain HTTP, costs a few
 * hundred milliseconds of class loading on each start of a short-lived CLI, streams a body only
 * through a publisher on its own threads, and (on Java 17) keeps a selector thread that delays
 * the JVM's exit. Here a request runs on the caller's thread and leaves nothing behind.
 *
 * <p>TLS ({@link TlsLayer}): with verification, the JDK's default trust store and host name
 * check; without, any certificate for any name ({@code --tls-verify=false}).
 *
 * <p>Proxies ({@link ProxySelection}): through an HTTP proxy, https goes through a {@code CONNECT}
 * tunnel ({@link ConnectTunnel}) with TLS to the registry inside it, so the proxy sees neither the
 * requests nor their credentials, and http goes to the proxy as requests in absolute form, with
 * the proxy's credentials in {@code Proxy-Authorization}. An https proxy is the same inside TLS
 * to the proxy. Through a SOCKS5 proxy ({@link SocksTunnel}) every request goes through a tunnel.
 * Connections are pooled per proxy and origin.
 */
final class Http1Client implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MS = 30_000;
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int MAX_IDLE_PER_ORIGIN = 4;
  private static final int IO_BUFFER = 64 * 1024;

  private final ProxySelection proxies;
  private final Map<String, Deque<Connection>> idle = new HashMap<>();
  private final TlsLayer tls;
  private final int idleTimeoutMs;
  private boolean closed;

  /**
   * @param idleTimeout how long reading a response body may receive nothing before it fails
   */
  Http1Client(boolean tlsVerify, ProxySelection proxies, Duration idleTimeout) {
    this(new TlsLayer(tlsVerify), proxies, idleTimeout);
  }

  /**
   * @param tls how TLS is spoken (to the registry and to an https proxy)
   * @param idleTimeout how long reading a response body may receive nothing before it fails
   */
  Http1Client(TlsLayer tls, ProxySelection proxies, Duration idleTimeout) {
    this.tls = tls;
    this.proxies = proxies;
    this.idleTimeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, idleTimeout.toMillis()));
  }

  /** How long reading a response body may receive nothing. */
  Duration idleTimeout() {
    return Duration.ofMillis(idleTimeoutMs);
  }

  /** A duration as messages give it: {@code 30 s}, {@code 500 ms}. */
  static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** Writes a request body; called again if the request must be sent again. */
  @FunctionalInterface
  interface BodyWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /** A request body: its length (-1 to send it chunked) and how to write it. */
  record Body(long length, BodyWriter writer) {
    static final Body EMPTY = new Body(0, out -> {});

    static Body of(byte[] bytes) {
      return of(bytes, 0, bytes.length);
    }

    static Body of(byte[] bytes, int off, int len) {
      return new Body(len, out -> out.write(bytes, off, len));
    }
  }

  /**
   * Sends a request and reads the response's head; the caller reads (or closes) its body. A
   * pooled connection found closed by the server is replaced and the request sent again.
   *
   * @param timeout how long to wait for the response head (not the body)
   * @throws IOException if connecting, sending or reading the head fails
   */
  Response send(String method, URI uri, Map<String, String> headers, Body body,
      Duration timeout) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Connection c = checkout(uri, attempt == 0);
      try {
        Exchange ex = new Exchange(c, method, uri, headers, body.length(), timeout);
        try {
          body.writer().writeTo(ex.body());
        } catch (IOException e) {
          if (!ex.sendFailed) {
            throw e; // the body's own source failed (a damaged local blob, say)
          }
          // The server may have answered early (a refusal) and closed: report its answer.
          Response early = ex.earlyResponse();
          if (early != null) {
            return early;
          }
          throw c.reused ? new StaleConnectionException(e.getMessage(), e) : e;
        }
        return ex.response();
      } catch (StaleConnectionException e) {
        c.close();
        if (attempt > 0) {
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    }
  }

  /**
   * Starts a request whose body the caller writes to {@link Exchange#body()} as it is produced,
   * on a new connection (a body that cannot be replayed never goes to a connection that may have
   * gone stale).
   *
   * @param length the body's length, or -1 to send it chunked
   * @throws IOException if connecting or sending the head fails
   */
  Exchange open(String method, URI uri, Map<String, String> headers, long length,
      Duration timeout) throws IOException {
    Connection c = checkout(uri, false);
    try {
      return new Exchange(c, method, uri, headers, length, timeout);
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Closes the idle connections; the client stays usable. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Deque<Connection> q : idle.values()) {
      q.forEach(Connection::close);
    }
    idle.clear();
  }

  private static String origin(URI uri) {
    return uri.getScheme().toLowerCase(Locale.ROOT) + "://"
        + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port(uri);
  }

  private static String bareHost(URI uri) {
    String host = uri.getHost();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
        : host;
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443
        : 80;
  }

  private Connection checkout(URI uri, boolean pooled) throws IOException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IOException("cannot send a request to " + uri);
    }
    Optional<Proxy> proxy = proxies.proxyFor(scheme, bareHost(uri), port(uri));
    String origin = origin(uri) + proxy.map(p -> " via " + p).orElse("");
    if (pooled) {
      synchronized (this) {
        Deque<Connection> q = idle.get(origin);
        Connection c = q == null ? null : q.pollLast();
        if (c != null) {
          return c;
        }
      }
    }
    return connect(uri, origin, scheme.equals("https"), proxy.orElse(null));
  }

  private synchronized void release(Connection c) {
    Deque<Connection> q = idle.computeIfAbsent(c.origin, o -> new ArrayDeque<>());
    if (closed || q.size() >= MAX_IDLE_PER_ORIGIN) {
      c.close();
    } else {
      c.reused = true;
      q.addLast(c);
    }
  }

  private Connection connect(URI uri, String origin, boolean https, Proxy proxy)
      throws IOException {
    String host = bareHost(uri);
    int port = port(uri);
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      if (proxy == null) {
        try {
          socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
        } catch (IOException | IllegalArgumentException e) {
          String where = port == (https ? 443 : 80) ? host : uri.getRawAuthority();
          throw UnreachableException.of(where, e, Duration.ofMillis(CONNECT_TIMEOUT_MS));
        }
      } else {
        socket = throughProxy(socket, proxy, https, host, port);
      }
      if (https) {
        socket = tls.over(socket, host, port);
      }
      // Through a tunnel the proxy is out of the exchange; only an HTTP proxy asked for plain
      // http is spoken to, in absolute form.
      boolean absoluteForm = proxy != null && !proxy.socks() && !https;
      return new Connection(origin, socket, absoluteForm ? proxy : null);
    } catch (IOException | RuntimeException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw e;
    }
  }

  /**
   * Connects {@code socket} to the proxy and, for https or through SOCKS, opens a tunnel to
   * {@code host:port}; the socket to go on with (a TLS one to an https proxy).
   */
  private Socket throughProxy(Socket socket, Proxy proxy, boolean https, String host, int port)
      throws IOException {
    try {
      socket.connect(new InetSocketAddress(proxy.host(), proxy.port()), CONNECT_TIMEOUT_MS);
    } catch (IOException e) {
      throw new IOException("cannot connect to proxy " + proxy + ": " + e.getMessage(), e);
    }
    if (proxy.tls()) {
      // TLS to the proxy first: the CONNECT and its Proxy-Authorization go inside it.
      try {
        socket = tls.over(socket, proxy.host(), proxy.port());
      } catch (IOException e) {
        throw new IOException("TLS to proxy " + proxy + " failed: " + e.getMessage(), e);
      }
    }
    if (proxy.socks()) {
      SocksTunnel.open(socket, proxy, host, port, CONNECT_TIMEOUT_MS);
    } else if (https) {
      ConnectTunnel.open(socket, proxy, host, port, CONNECT_TIMEOUT_MS);
    }
    return socket;
  }

  /** One connection: a socket with buffered streams. */
  private static final class Connection {
    final String origin;
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    /** The proxy plain-http requests go to, in absolute form; null for none. */
    final Proxy proxy;
    boolean reused;

    Connection(String origin, Socket socket, Proxy proxy) throws IOException {
      this.origin = origin;
      this.socket = socket;
      this.proxy = proxy;
      this.in = new BufferedInputStream(socket.getInputStream(), IO_BUFFER);
      this.out = new BufferedOutputStream(socket.getOutputStream(), IO_BUFFER);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  /** A pooled connection the server had closed: safe to send the request again. */
  private static final class StaleConnectionException extends IOException {
    StaleConnectionException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** One request on a connection: its body is written, then its response read. */
  final class Exchange {
    private final Connection c;
    private final String method;
    private final URI uri;
    private final int timeoutMs;
    private final OutputStream body;
    private boolean bodyEnded;
    /** Whether writing to the connection failed (as against the body's source). */
    private boolean sendFailed;

    private Exchange(Connection c, String method, URI uri, Map<String, String> headers,
        long length, Duration timeout) throws IOException {
      this.c = c;
      this.method = method;
      this.uri = uri;
      this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      StringBuilder head = new StringBuilder();
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/"
          : uri.getRawPath();
      head.append(method).append(' ');
      if (c.proxy != null) {
        head.append(uri.getScheme().toLowerCase(Locale.ROOT)).append("://")
            .append(uri.getHost()).append(uri.getPort() >= 0 ? ":" + uri.getPort() : "");
      }
      head.append(path);
      if (uri.getRawQuery() != null) {
        head.append('?').append(uri.getRawQuery());
      }
      head.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
      if (uri.getPort() >= 0) {
        head.append(':').append(uri.getPort());
      }
      head.append("\r\nUser-Agent: lamina\r\n");
      if (c.proxy != null && c.proxy.authorization() != null) {
        head.append("Proxy-Authorization: ").append(c.proxy.authorization()).append("\r\n");
      }
      headers.forEach((k, v) -> {
        checkHeader(k);
        checkHeader(v);
        head.append(k).append(": ").append(v).append("\r\n");
      });
      boolean sendsBody = length != 0 || method.equals("PUT") || method.equals("POST")
          || method.equals("PATCH");
      if (length < 0) {
        head.append("Transfer-Encoding: chunked\r\n");
      } else if (sendsBody) {
        head.append("Content-Length: ").append(length).append("\r\n");
      }
      head.append("\r\n");
      try {
        c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        throw c.reused ? new StaleConnectionException(e.getMessage(), e) : e;
      }
      OutputStream wire = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          try {
            c.out.write(b, off, len);
          } catch (IOException e) {
            sendFailed = true;
            throw e;
          }
        }
      };
      this.body = length < 0 ? new ChunkedOutput(wire) : new FixedOutput(wire, length);
    }

    /** Where the caller writes the body. */
    OutputStream body() {
      return body;
    }

    /**
     * Ends the body and reads the response head.
     *
     * @throws IOException if the body is short, or the response cannot be read
     */
    Response response() throws IOException {
      if (!bodyEnded) {
        bodyEnded = true;
        body.close();
      }
      try {
        c.out.flush();
      } catch (IOException e) {
        sendFailed = true;
        Response early = earlyResponse();
        if (early != null) {
          return early;
        }
        throw c.reused ? new StaleConnectionException(e.getMessage(), e) : e;
      }
      return readResponse(timeoutMs);
    }

    /** After a failed write: the response the server sent before closing, if any. */
    Response earlyResponse() {
      try {
        return readResponse(2_000);
      } catch (IOException e) {
        return null;
      }
    }

    /** Abandons the exchange, closing its connection. */
    void abort() {
      c.close();
    }

    private Response readResponse(int timeout) throws IOException {
      c.socket.setSoTimeout(timeout);
      while (true) {
        String status;
        try {
          status = readLine(c.in);
        } catch (EOFException e) {
          throw c.reused ? new StaleConnectionException("connection closed by the server", e)
              : new IOException("connection closed before a response", e);
        } catch (SocketTimeoutException e) {
          throw new SocketTimeoutException("no response from " + uri.getHost() + " within "
              + describe(Duration.ofMillis(timeout)));
        }
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
          throw new IOException("not an HTTP response from " + uri.getHost());
        }
        int code;
        try {
          code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
          throw new IOException("invalid HTTP status line from " + uri.getHost());
        }
        Map<String, List<String>> headers = readHeaders(c.in);
        if (code >= 100 && code < 200) {
          continue; // 100 Continue and friends: the real answer follows
        }
        if (code == 407 && c.proxy != null) {
          // The proxy's refusal, not the registry's answer: it must not read as one.
          c.close();
          throw new IOException("proxy " + c.proxy + " refused " + method + " " + uri + ": "
              + status.substring(9));
        }
        // A body that stops coming fails after the idle timeout, however long it is.
        c.socket.setSoTimeout(idleTimeoutMs);
        boolean keepAlive = status.startsWith("HTTP/1.1")
            && !headerHas(headers, "connection", "close") && bodyEnded;
        return new Response(code, uri, headers, tellingStalls(body(code, headers, keepAlive)));
      }
    }

    /** {@code body}, whose read timing out says what happened in words. */
    private InputStream tellingStalls(InputStream body) {
      return new java.io.FilterInputStream(body) {
        @Override
        public int read() throws IOException {
          try {
            return super.read();
          } catch (SocketTimeoutException e) {
            throw stalled(e);
          }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          try {
            return super.read(b, off, len);
          } catch (SocketTimeoutException e) {
            throw stalled(e);
          }
        }
      };
    }

    private SocketTimeoutException stalled(SocketTimeoutException e) {
      SocketTimeoutException s = new SocketTimeoutException("nothing received from "
          + uri.getHost() + " for " + describe(Duration.ofMillis(idleTimeoutMs)));
      s.initCause(e);
      return s;
    }

    private InputStream body(int code, Map<String, List<String>> headers, boolean keepAlive)
        throws IOException {
      if (method.equals("HEAD") || code == 204 || code == 304) {
        done(keepAlive);
        return InputStream.nullInputStream();
      }
      if (headerHas(headers, "transfer-encoding", "chunked")) {
        return new ChunkedInput(c.in, () -> done(keepAlive), this::abort);
      }
      List<String> cl = headers.getOrDefault("content-length", List.of());
      if (!cl.isEmpty()) {
        long n;
        try {
          n = Long.parseLong(cl.get(0).trim());
        } catch (NumberFormatException e) {
          abort();
          throw new IOException("invalid Content-Length from " + uri.getHost());
        }
        if (n == 0) {
          done(keepAlive);
          return InputStream.nullInputStream();
        }
        return new FixedInput(c.in, n, () -> done(keepAlive), this::abort);
      }
      return new FixedInput(c.in, Long.MAX_VALUE, this::abort, this::abort);
    }

    private void done(boolean keepAlive) {
      if (keepAlive) {
        release(c);
      } else {
        c.close();
      }
    }
  }

  private static void checkHeader(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\r' || ch == '\n' || ch > 0xff) {
        throw new IllegalArgumentException("invalid character in an HTTP header");
      }
    }
  }

  private static boolean headerHas(Map<String, List<String>> headers, String name, String token) {
    for (String v : headers.getOrDefault(name, List.of())) {
      for (String part : v.split(",")) {
        if (part.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b == '\n') {
        break;
      }
      if (line.size() >= MAX_HEAD_BYTES) {
        throw new IOException("HTTP response line too long");
      }
      line.write(b);
    }
    byte[] bytes = line.toByteArray();
    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
  }

  static Map<String, List<String>> readHeaders(InputStream in) throws IOException {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    int total = 0;
    while (true) {
      String line = readLine(in);
      total += line.length() + 2;
      if (total > MAX_HEAD_BYTES) {
        throw new IOException("HTTP response head too long");
      }
      if (line.isEmpty()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
    }
  }

  /** A response: status, headers (names in lower case) and the body to read or close. */
  static final class Response implements Closeable {
    private final int status;
    private final URI uri;
    private final Map<String, List<String>> headers;
    private final InputStream body;

    Response(int status, URI uri, Map<String, List<String>> headers, InputStream body) {
      this.status = status;
      this.uri = uri;
      this.headers = headers;
      this.body = body;
    }

    int status() {
      return status;
    }

    /** The URI the request went to. */
    URI uri() {
      return uri;
    }

    Optional<String> header(String name) {
      List<String> vs = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
      return vs.isEmpty() ? Optional.empty() : Optional.of(vs.get(0));
    }

    List<String> headers(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    InputStream body() {
      return body;
    }

    /** Closes the body; unread, the connection is closed rather than reused. */
    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  /** A body of exactly {@code length} bytes. */
  private static final class FixedOutput extends OutputStream {
    private final OutputStream out;
    private long left;

    FixedOutput(OutputStream out, long length) {
      this.out = out;
      this.left = length;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > left) {
        throw new IOException("request body longer than its Content-Length");
      }
      out.write(b, off, len);
      left -= len;
    }

    @Override
    public void close() throws IOException {
      if (left != 0) {
        throw new IOException("request body " + left + " bytes short of its Content-Length");
      }
    }
  }

  /** A chunked body: each write one chunk; closing writes the last, empty one. */
  private static final class ChunkedOutput extends OutputStream {
    private final OutputStream out;
    private boolean closed;

    ChunkedOutput(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("request body already ended");
      }
      if (len == 0) {
        return;
      }
      out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(b, off, len);
      out.write('\r');
      out.write('\n');
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
    }
  }

  /**
   * A response body on a kept-alive connection: {@code done} runs once when it has been read to
   * its end (the connection can be reused), {@code abandon} once when it is closed or fails before
   * (the connection must be dropped).
   */
  private abstract static class BodyInput extends InputStream {
    final InputStream in;
    private final Runnable done;
    private final Runnable abandon;
    boolean finished;

    BodyInput(InputStream in, Runnable done, Runnable abandon) {
      this.in = in;
      this.done = done;
      this.abandon = abandon;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** The body was read to its end. */
    final void finish() {
      if (!finished) {
        finished = true;
        done.run();
      }
    }

    /** The body cannot be read to its end. */
    final void abandon() {
      if (!finished) {
        finished = true;
        abandon.run();
      }
    }

    @Override
    public void close() {
      abandon();
    }
  }

  /** A body of {@code length} bytes (Long.MAX_VALUE: up to the end of the connection). */
  private static final class FixedInput extends BodyInput {
    private long left;

    FixedInput(InputStream in, long length, Runnable done, Runnable abandon) {
      super(in, done, abandon);
      this.left = length;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (finished) {
        return -1;
      }
      if (left == 0) {
        finish();
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        abandon();
        if (left != Long.MAX_VALUE) {
          throw new EOFException("response body ended " + left + " bytes early");
        }
        return -1;
      }
      if (left != Long.MAX_VALUE) {
        left -= n;
      }
      if (left == 0) {
        finish();
      }
      return n;
    }
  }

  /** A chunked body, decoded; it ends after the last chunk and trailers. */
  private static final class ChunkedInput extends BodyInput {
    private long chunkLeft;

    ChunkedInput(InputStream in, Runnable done, Runnable abandon) {
      super(in, done, abandon);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (finished) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      try {
        if (chunkLeft == 0) {
          String line = readLine(in);
          int semi = line.indexOf(';');
          String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
          try {
            chunkLeft = Long.parseLong(hex, 16);
          } catch (NumberFormatException e) {
            throw new IOException("invalid chunk size in a response");
          }
          if (chunkLeft < 0) {
            throw new IOException("invalid chunk size in a response");
          }
          if (chunkLeft == 0) {
            readHeaders(in); // trailers
            finish();
            return -1;
          }
        }
        int n = in.read(b, off, (int) Math.min(len, chunkLeft));
        if (n < 0) {
          throw new EOFException("response body ended inside a chunk");
        }
        chunkLeft -= n;
        if (chunkLeft == 0) {
          readLine(in); // the CRLF after the chunk
        }
        return n;
      } catch (IOException e) {
        abandon();
        throw e;
      }
    }
  }
}
