package dev.lamina.cli;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.testing.Requirements;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real unprivileged users for tests, made by the test (root): system users with a home under a
 * directory of their own, optionally with subordinate ranges in {@code /etc/subuid} and {@code
 * /etc/subgid} (both backed up first and restored at the end), and the CLI's class path copied
 * where they can read it. Each runs {@code lamina} as a separate JVM through {@code runuser}, with
 * a clean environment. Closing stops what their commands left (their namespace's holder, whose
 * end takes its mounts and containers with it), removes the users and restores the files.
 *
 * <p>Where this host keeps {@code /dev/net/tun} or {@code /dev/fuse} from users (mode 0600, where
 * Debian makes them 0666), commands run in a private mount namespace in which nodes of the test's
 * own, made under the test's directory, are bound over them; the host's {@code /dev} is never
 * changed. The user's namespace, made by its first command, keeps them.
 */
final class RootlessUsers implements AutoCloseable {
  private static final Path SUBUID = Path.of("/etc/subuid");
  private static final Path SUBGID = Path.of("/etc/subgid");

  private final Path base;
  private final Path classPath;
  private final byte[] subuid;
  private final byte[] subgid;
  private final List<User> users = new ArrayList<>();
  private long nextRange = 400_000;

  /** A user made by the fixture. */
  final class User {
    final String name;
    final Path home;
    final int uid;
    final long rangeStart;
    private final Map<String, String> env = new LinkedHashMap<>();

    private User(String name, Path home, int uid, long rangeStart) {
      this.name = name;
      this.home = home;
      this.uid = uid;
      this.rangeStart = rangeStart;
      env.put("HOME", home.toString());
      env.put("USER", name);
      env.put("LOGNAME", name);
      env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
      env.put("LANG", "C.UTF-8");
    }

    /** The user's default store. */
    Path store() {
      return home.resolve(".local/share/lamina");
    }

    /** {@code lamina ARGS} as this user, with {@code extraEnv} added to its environment. */
    Cli.Result lamina(Map<String, String> extraEnv, String... args)
        throws IOException, InterruptedException {
      Map<String, String> e = new LinkedHashMap<>(env);
      e.putAll(extraEnv);
      return runAs(e, javaCommand(args));
    }

    /** {@code lamina ARGS} as this user. */
    Cli.Result lamina(String... args) throws IOException, InterruptedException {
      return lamina(Map.of(), args);
    }

    /** {@code lamina ARGS} as this user, on a terminal of its own ({@code script}). */
    Cli.Result laminaOnTerminal(String... args) throws IOException, InterruptedException {
      StringBuilder line = new StringBuilder();
      for (String a : javaCommand(args)) {
        line.append(line.length() == 0 ? "" : " ").append("'").append(a.replace("'", "'\\''"))
            .append("'");
      }
      return runAs(env, List.of("script", "-qec", line.toString(), "/dev/null"));
    }

    private List<String> javaCommand(String... args) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
          "-XX:-UsePerfData", "-cp", classPath.resolve("*").toString(), Main.class.getName()));
      cmd.addAll(List.of(args));
      return cmd;
    }

    private Cli.Result runAs(Map<String, String> e, List<String> command)
        throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>();
      if (!devicesForUsers()) {
        cmd.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs -o mode=755 tmpfs \"$0\" && mknod -m 666 \"$0/tun\" c 10 200"
                + " && mount --bind \"$0/tun\" /dev/net/tun"
                + " && mknod -m 666 \"$0/fuse\" c 10 229 && mount --bind \"$0/fuse\" /dev/fuse"
                + " && exec \"$@\"",
            Files.createDirectories(base.resolve("dev")).toString()));
      }
      cmd.addAll(List.of("runuser", "-u", name, "--", "env", "-i"));
      e.forEach((k, v) -> cmd.add(k + "=" + v));
      cmd.addAll(command);
      Path out = Files.createTempFile(base, "out", "");
      Path err = Files.createTempFile(base, "err", "");
      Process p = new ProcessBuilder(cmd).directory(home.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("lamina " + command + " as " + name + " did not end");
      }
      try {
        return new Cli.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.delete(out);
        Files.delete(err);
      }
    }

    /** The pid of the holder of this user's namespace, or -1. */
    long pausePid() throws IOException {
      for (Path dir : List.of(Path.of("/tmp/lamina-run-" + uid))) {
        Path f = dir.resolve("pause.pid");
        if (Files.exists(f)) {
          return Long.parseLong(Files.readString(f).strip().split(" ")[0]);
        }
      }
      return -1;
    }
  }

  private RootlessUsers(Path base, Path classPath, byte[] subuid, byte[] subgid) {
    this.base = base;
    this.classPath = classPath;
    this.subuid = subuid;
    this.subgid = subgid;
  }

  /** The fixture, with the test's class path copied under a new directory users can read. */
  static RootlessUsers open() throws IOException {
    Requirements.root();
    for (String tool : List.of("useradd", "userdel", "runuser", "newuidmap", "nsenter",
        "unshare", "runc")) {
      Requirements.tool(tool);
    }
    Path base = Files.createTempDirectory("lamina-rootless-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path cp = Files.createDirectories(base.resolve("cp"));
    int i = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path from = Path.of(entry);
      if (Files.isRegularFile(from)) {
        Files.copy(from, cp.resolve(i++ + "-" + from.getFileName()));
      } else if (Files.isDirectory(from) && !from.endsWith("test-classes")) {
        Path jar = cp.resolve(i++ + "-classes.jar");
        run(List.of("jar", "cf", jar.toString(), "-C", from.toString(), "."));
      }
    }
    makeReadable(base);
    return new RootlessUsers(base, cp, read(SUBUID), read(SUBGID));
  }

  /** A new user; with {@code ranges}, 65536 subordinate uids and gids. */
  User add(String name, boolean ranges) throws IOException {
    Path home = base.resolve("home-" + name);
    userdel(name); // a leftover of a killed run
    run(List.of("useradd", "--system", "--create-home", "--home-dir", home.toString(),
        "--shell", "/bin/sh", name));
    int uid = Integer.parseInt(output(List.of("id", "-u", name)).strip());
    long start = -1;
    if (ranges) {
      start = nextRange;
      nextRange += 65536;
      String line = name + ":" + start + ":65536\n";
      Files.writeString(SUBUID, line, StandardOpenOption.APPEND);
      Files.writeString(SUBGID, line, StandardOpenOption.APPEND);
    }
    User u = new User(name, home, uid, start);
    users.add(u);
    return u;
  }

  /**
   * Whether this host's {@code /dev/net/tun} (pasta) and {@code /dev/fuse} (fuse-overlayfs) are
   * usable by users, as Debian makes them.
   */
  static boolean devicesForUsers() throws IOException {
    return (Posix.lstat(Path.of("/dev/net/tun")).mode() & 0066) == 0066
        && (Posix.lstat(Path.of("/dev/fuse")).mode() & 0066) == 0066;
  }

  /** Files under {@code dir} owned by host uid 0, as root sees them. */
  static List<Path> ownedByHostRoot(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        FileStat st = Posix.lstat(p);
        if (st.uid() == 0 || st.gid() == 0) {
          out.add(p);
        }
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    IOException failed = null;
    for (User u : users) {
      try {
        long pid = u.pausePid();
        if (pid > 0) {
          // Containers first, so that their networks (pasta) are taken down as rm does it.
          Cli.Result ids = u.lamina("ps", "-aq");
          for (String id : ids.lines()) {
            u.lamina("rm", "-f", id);
          }
          // The holder's end takes the namespace and its mounts with it.
          run(List.of("kill", "-KILL", Long.toString(pid)));
        }
        Trees.deleteRecursively(Path.of("/tmp/lamina-run-" + u.uid));
        userdel(u.name);
      } catch (IOException e) {
        failed = failed == null ? e : failed;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Files.write(SUBUID, subuid);
    Files.write(SUBGID, subgid);
    Trees.deleteRecursively(base);
    if (failed != null) {
      throw failed;
    }
  }

  private static void userdel(String name) throws IOException {
    try {
      Process p = new ProcessBuilder("userdel", "--remove", name).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] read(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
  }

  private static void makeReadable(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (!Files.isSymbolicLink(p)) {
          Posix.chmod(p, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? 0755 : 0644);
        }
      }
    }
  }

  static void run(List<String> cmd) throws IOException {
    output(cmd);
  }

  static String output(List<String> cmd) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Copies {@code file} into the users' directory, readable by them. */
  Path share(Path file) throws IOException {
    Path to = base.resolve("shared").resolve(file.getFileName());
    Files.createDirectories(to.getParent());
    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
    makeReadable(to.getParent());
    return to;
  }

  Path base() {
    return base;
  }
}
