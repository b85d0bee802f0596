package dev.lamina.builder.git;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bare git repositories in a directory, served read-only over git's "dumb" HTTP protocol (plain
 * files) on 127.0.0.1, as BuildKit's own tests serve theirs: {@code http://127.0.0.1:PORT/x.git}
 * is a git source by BuildKit's rules, and nothing leaves the machine. Repositories are edited in
 * work trees next to them and pushed.
 */
public final class GitServer implements AutoCloseable {
  private final Path dir;
  private final HttpServer http;

  private GitServer(Path dir, HttpServer http) {
    this.dir = dir;
    this.http = http;
  }

  /** Serves {@code dir} (created when missing). */
  public static GitServer start(Path dir) throws IOException {
    Requirements.tool("git");
    Files.createDirectories(dir);
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        0);
    GitServer server = new GitServer(dir, http);
    http.createContext("/", server::serve);
    http.start();
    return server;
  }

  /** The URL of repository {@code name} ({@code name.git}). */
  public String url(String name) {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/" + name + ".git";
  }

  /** The URL of repository {@code name} with credentials in it. */
  public String url(String name, String userinfo) {
    return "http://" + userinfo + "@127.0.0.1:" + http.getAddress().getPort() + "/" + name
        + ".git";
  }

  /** A new repository {@code name}: a bare one served, and its work tree to commit in. */
  public Repo create(String name) throws IOException {
    Path bare = dir.resolve(name + ".git");
    Path work = dir.resolve("work-" + name);
    git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
    git(dir, "init", "-q", "-b", "main", work.toString());
    git(work, "remote", "add", "origin", bare.toString());
    return new Repo(work, bare);
  }

  /** A repository's work tree. */
  public static final class Repo {
    private final Path work;
    private final Path bare;

    private Repo(Path work, Path bare) {
      this.work = work;
      this.bare = bare;
    }

    /** The bare repository the work tree pushes to. */
    public Path bare() {
      return bare;
    }

    /** The work tree, to write files in. */
    public Path work() {
      return work;
    }

    /** Writes {@code content} to {@code path} of the work tree. */
    public Repo write(String path, String content) throws IOException {
      Path file = work.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return this;
    }

    /** Runs git in the work tree; returns its output, trimmed. */
    public String git(String... args) throws IOException {
      return GitServer.git(work, args).strip();
    }

    /** Commits everything and pushes every branch and tag; returns the commit's id. */
    public String commit(String message) throws IOException {
      git("add", "-A");
      git("commit", "-q", "-m", message);
      return publish();
    }

    /** Pushes every branch and tag and refreshes what dumb HTTP clients read; returns HEAD. */
    public String publish() throws IOException {
      git("push", "-q", "--force", "--all", "origin");
      git("push", "-q", "--force", "--tags", "origin");
      GitServer.git(bare, "update-server-info");
      return git("rev-parse", "HEAD");
    }
  }

  /** Runs git in {@code dir} without any user or system configuration; returns its output. */
  public static String git(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Test",
        "-c", "user.email=test@example.com", "-c", "protocol.file.allow=always"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    env.put("GIT_OPTIONAL_LOCKS", "0");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException(command + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out;
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      Path file = dir.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
      if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = Files.readAllBytes(file);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
