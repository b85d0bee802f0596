package dev.lamina.builder.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host's {@code git} in a clean environment: no system, global or user configuration,
 * no templates, no prompts, only the network transports (https, http, ssh, git) and a time limit.
 * Its ssh authenticates with the agent it is given, if any, and nothing else: no key file of the
 * host's user.
 * Output goes to files under a private directory, so a chatty command can never block on a pipe.
 */
final class Git {
  /** Talking to a remote: ls-remote, fetch, submodule update. */
  static final Duration REMOTE_TIMEOUT = Duration.ofMinutes(10);
  /** Working on the local repository only. */
  static final Duration LOCAL_TIMEOUT = Duration.ofMinutes(2);

  /** Proxy settings a fetch honours, as BuildKit passes them on. */
  private static final List<String> PROXIES = List.of("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
      "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy");

  /** A git command that failed: its exit status (or time-out) and what it said on stderr. */
  static final class Failure extends IOException {
    private final String stderr;

    Failure(String message, String stderr) {
      super(message);
      this.stderr = stderr;
    }

    String stderr() {
      return stderr;
    }

    /** The line that says why: git's first {@code fatal:} or {@code error:}, else the last. */
    String reason() {
      String last = null;
      for (String line : stderr.split("\n")) {
        String l = line.strip();
        if (l.startsWith("fatal: ") || l.startsWith("error: ")) {
          return l.substring(l.indexOf(' ') + 1);
        }
        if (!l.isEmpty()) {
          last = l;
        }
      }
      return last != null ? last : getMessage();
    }
  }

  private final Path home;
  private final Path template;
  private final Path stdout;
  private final Path stderr;
  private final Duration remoteTimeout;
  private final Duration localTimeout;
  private final Optional<Path> sshAgent;

  /**
   * A runner keeping its empty home and output files in {@code privateDir}, its ssh using the
   * agent listening on {@code sshAgent}, when there is one.
   */
  Git(Path privateDir, Optional<Path> sshAgent) throws IOException {
    this(privateDir, sshAgent, REMOTE_TIMEOUT, LOCAL_TIMEOUT);
  }

  Git(Path privateDir, Optional<Path> sshAgent, Duration remoteTimeout, Duration localTimeout)
      throws IOException {
    this.sshAgent = sshAgent;
    this.home = Files.createDirectories(privateDir.resolve("home"));
    this.template = Files.createDirectories(privateDir.resolve("template"));
    this.stdout = privateDir.resolve("stdout");
    this.stderr = privateDir.resolve("stderr");
    this.remoteTimeout = remoteTimeout;
    this.localTimeout = localTimeout;
  }

  /** Runs a local git command in {@code dir}; returns its standard output. */
  String local(Path dir, String... args) throws IOException {
    return run(dir, localTimeout, List.of(args));
  }

  /** Runs a git command that talks to a remote in {@code dir}; returns its standard output. */
  String remote(Path dir, List<String> args) throws IOException {
    return run(dir, remoteTimeout, args);
  }

  private String run(Path dir, Duration timeout, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("git");
    // Reflogs record times and the host's user and name; a kept .git has no use for them.
    command.add("-c");
    command.add("core.logAllRefUpdates=false");
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    environment(pb.environment());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new GitException("cannot run git (ADD of a git source needs it installed): "
          + e.getMessage());
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        // Fetches run helpers (git-remote-https, ssh) that outlive a killed parent.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
        String message = "git " + args.get(0) + " timed out after " + timeout.toSeconds() + "s";
        throw new Failure(message, "fatal: " + message);
      }
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new GitException("interrupted while running git " + args.get(0));
    }
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new Failure("git " + args.get(0) + " exited with status " + p.exitValue(), err);
    }
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private void environment(Map<String, String> env) {
    Map<String, String> host = System.getenv();
    env.clear();
    env.put("PATH", host.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    // No configuration but the repository's own: not the system's, not the user's.
    env.put("HOME", home.toString());
    env.put("XDG_CONFIG_HOME", home.toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    // Repositories (submodules' too) start empty: no sample hooks or files of this git version.
    env.put("GIT_TEMPLATE_DIR", template.toString());
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("GIT_ASKPASS", "/bin/false");
    env.put("SSH_ASKPASS", "/bin/false");
    // The allow-list of transports, for this git and every git it starts (submodules, redirects
    // to another remote): never file:// or a local path (the host's files), never ext:: or fd::
    // (commands).
    env.put("GIT_ALLOW_PROTOCOL", "https:http:ssh:git");
    // IdentityFile=none: ssh reads ~/.ssh/id_* from the passwd entry's home, whatever HOME says;
    // the only keys it may offer are the given agent's.
    env.put("GIT_SSH_COMMAND", "ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=30"
        + " -o IdentityFile=none -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null");
    sshAgent.ifPresent(socket -> env.put("SSH_AUTH_SOCK", socket.toString()));
    env.put("LC_ALL", "C");
    for (String proxy : PROXIES) {
      String v = host.get(proxy);
      if (v != null) {
        env.put(proxy, v);
      }
    }
  }
}
