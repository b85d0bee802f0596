package dev.lamina.runner.userns;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.layerfs.store.StoreRoots;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An unprivileged user's namespace, in which Lamina works as uid 0: a user namespace mapping
 * uid 0 to the user and 1.. to the user's subordinate ranges (or, without ranges, the user alone),
 * with a mount namespace of its own for the overlay mounts. As podman's pause process does, one
 * long-lived process ({@code catatonit -P}, else {@code sleep}) holds them for all the user's
 * commands, so that a container started by one command is reached by the next ({@code exec},
 * {@code stop}, {@code cp}) and its mounts stay where it runs; its pid is kept in the user's
 * runtime directory. Every command re-executes itself inside with {@code nsenter}, before its JVM
 * has done anything else: a multi-threaded process cannot join a user namespace itself.
 */
public final class UserNamespace {
  /** The files that list subordinate ids. */
  public static final Path SUBUID = Path.of("/etc/subuid");

  public static final Path SUBGID = Path.of("/etc/subgid");

  private static final String PID_FILE = "pause.pid";

  /**
   * The namespace to enter: its holder's pid, and, when it was made just now mapping only the
   * user's own id, a note for the user (null otherwise).
   */
  public record Entry(long pid, String note) {}

  private final Map<String, String> env;
  private final int uid;
  private final int gid;
  private final String name;

  private UserNamespace(Map<String, String> env, int uid, int gid, String name) {
    this.env = env;
    this.uid = uid;
    this.gid = gid;
    this.name = name;
  }

  /** The namespace of the user this process runs as (its real ids), found with its PATH. */
  public static UserNamespace ofThisUser() throws IOException {
    int[] ids = ids();
    return new UserNamespace(System.getenv(), ids[0], ids[1], userName(ids[0]));
  }

  /** Whether this process must enter its user's namespace first: a user's, still outside. */
  public static boolean needed() {
    return Posix.geteuid() != 0 && System.getenv(Rootless.ENV) == null;
  }

  /**
   * The user's namespace: the one its holder keeps, or a new one.
   *
   * @throws UserNamespaceException when {@code newuidmap}/{@code newgidmap} are missing (naming
   *     the package), or the namespace cannot be made
   */
  public Entry ensure() throws IOException {
    Path run = StoreRoots.privateDir(StoreRoots.runtimeDir());
    Path pidFile = run.resolve(PID_FILE);
    try (FileChannel lockFile =
            FileChannel.open(run.resolve("pause.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      SubordinateIds subuids = SubordinateIds.read(SUBUID, name, uid);
      SubordinateIds subgids = SubordinateIds.read(SUBGID, name, uid);
      boolean ranges = !subuids.isEmpty() && !subgids.isEmpty();
      String note = ranges ? null : singleIdNote(subuids.isEmpty() ? SUBUID : SUBGID);
      Optional<Long> running = running(pidFile);
      if (running.isPresent()) {
        return new Entry(running.get(), null); // said when it was made
      }
      long pid = start(ranges ? subuids : null, ranges ? subgids : null);
      Files.writeString(pidFile, pid + " " + startTime(pid).orElse("") + "\n");
      return new Entry(pid, note);
    }
  }

  /**
   * Replaces this JVM with itself, same arguments, inside {@code entry}'s namespace, marked as
   * working for this user ({@link Rootless#ENV}). Returns only by throwing.
   */
  public void reenter(Entry entry) throws IOException {
    Path nsenter = tool("nsenter", "util-linux");
    List<byte[]> self = split(Files.readAllBytes(Path.of("/proc/self/cmdline")));
    List<byte[]> argv = new ArrayList<>();
    for (String a : List.of(nsenter.toString(), "--target", Long.toString(entry.pid()), "--user",
        "--mount", "--preserve-credentials")) {
      argv.add(a.getBytes(StandardCharsets.UTF_8));
    }
    // Joining a mount namespace moves a process to its root; relative paths must still resolve.
    argv.add(concat("--wd=".getBytes(StandardCharsets.UTF_8),
        FileNames.cString(Path.of("/proc/self/cwd").toRealPath())));
    argv.add("--".getBytes(StandardCharsets.UTF_8));
    argv.add(Path.of("/proc/self/exe").toRealPath().toString().getBytes(StandardCharsets.UTF_8));
    // Inside, uid 0's password entry would give the JVM root's home and name.
    String home = env.getOrDefault("HOME", "");
    if (!home.isEmpty()) {
      argv.add(("-Duser.home=" + home).getBytes(StandardCharsets.UTF_8));
    }
    argv.add(("-Duser.name=" + name).getBytes(StandardCharsets.UTF_8));
    argv.addAll(self.subList(1, self.size()));
    List<byte[]> envp = new ArrayList<>();
    for (byte[] e : split(Files.readAllBytes(Path.of("/proc/self/environ")))) {
      if (!new String(e, StandardCharsets.ISO_8859_1).startsWith(Rootless.ENV + "=")) {
        envp.add(e);
      }
    }
    envp.add((Rootless.ENV + "=" + uid).getBytes(StandardCharsets.UTF_8));
    Posix.execve(nsenter, argv, envp);
  }

  /** {@code a} then {@code b} without its NUL terminator. */
  private static byte[] concat(byte[] a, byte[] cString) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + cString.length - 1);
    System.arraycopy(cString, 0, out, a.length, cString.length - 1);
    return out;
  }

  /** The holder recorded in {@code pidFile}, if it still runs and holds this user's mapping. */
  private Optional<Long> running(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    String[] f = Files.readString(pidFile).strip().split(" ");
    try {
      long pid = Long.parseLong(f[0]);
      Optional<String> started = startTime(pid);
      // A holder being killed lingers as a zombie, whose namespaces are gone already.
      if (f.length == 2 && started.isPresent() && started.get().equals(f[1])
          && Files.exists(Path.of("/proc/" + pid + "/ns/mnt")) && mapsZeroTo(pid, uid)) {
        return Optional.of(pid);
      }
    } catch (NumberFormatException | IOException e) {
      // A stale or foreign file: a new holder replaces it.
    }
    return Optional.empty();
  }

  /**
   * Starts a holder: {@code unshare} makes the namespaces, then (with ranges) {@code
   * newuidmap}/{@code newgidmap} write its maps from outside, as only they may map other ids.
   */
  private long start(SubordinateIds subuids, SubordinateIds subgids) throws IOException {
    Path newuidmap = null;
    Path newgidmap = null;
    if (subuids != null) {
      newuidmap = tool("newuidmap", "uidmap");
      newgidmap = tool("newgidmap", "uidmap");
    }
    List<String> cmd = new ArrayList<>(List.of(tool("setsid", "util-linux").toString(),
        tool("unshare", "util-linux").toString(), "--user", "--mount", "--propagation",
        "private"));
    if (subuids == null) {
      cmd.add("--map-root-user");
    }
    cmd.add("--");
    Optional<Path> catatonit = which("catatonit");
    if (catatonit.isPresent()) {
      cmd.addAll(List.of(catatonit.get().toString(), "-P"));
    } else {
      cmd.addAll(List.of(tool("sleep", "coreutils").toString(), "infinity"));
    }
    // Its own session: a terminal's signals (Ctrl-C) and hang-up never reach it.
    Process p = new ProcessBuilder(cmd)
        .redirectInput(Redirect.from(new File("/dev/null")))
        .redirectOutput(Redirect.DISCARD)
        .redirectError(Redirect.DISCARD)
        .start();
    long pid = p.pid();
    try {
      awaitNewNamespace(p);
      if (subuids != null) {
        map(newuidmap, pid, subuids.mapArguments(uid));
        map(newgidmap, pid, subgids.mapArguments(gid));
      } else {
        awaitMapped(p);
      }
      if (!mapsZeroTo(pid, uid)) {
        throw new UserNamespaceException("the user namespace was not mapped");
      }
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
    return pid;
  }

  private static void awaitNewNamespace(Process p) throws IOException {
    String own = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
    for (int i = 0; i < 5000; i++) {
      if (!p.isAlive()) {
        throw new UserNamespaceException(
            "cannot create a user namespace (unshare exited " + p.exitValue()
                + "); unprivileged user namespaces may be disabled on this host"
                + " (sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces)");
      }
      try {
        if (!Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/user")).toString()
            .equals(own)) {
          return;
        }
      } catch (IOException notYet) {
        // still being set up
      }
      sleep();
    }
    throw new UserNamespaceException("the user namespace holder did not start within 5s");
  }

  /** With {@code --map-root-user} unshare writes the map itself, just after unsharing. */
  private void awaitMapped(Process p) throws IOException {
    for (int i = 0; i < 5000 && p.isAlive(); i++) {
      if (mapsZeroTo(p.pid(), uid)) {
        return;
      }
      sleep();
    }
  }

  private static void map(Path tool, long pid, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(tool.toString(), Long.toString(pid)));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (p.waitFor() != 0) {
        throw new UserNamespaceException(tool.getFileName() + " failed: "
            + out.replace('\n', ' ') + " (check this user's ranges in " + SUBUID + " and "
            + SUBGID + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserNamespaceException("interrupted while mapping the user namespace");
    }
  }

  private static boolean mapsZeroTo(long pid, int uid) throws IOException {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/uid_map"))) {
        String[] f = line.strip().split("\\s+");
        if (f.length == 3 && f[0].equals("0")) {
          return f[1].equals(Integer.toString(uid));
        }
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      return false;
    }
    return false;
  }

  /** Field 22 of {@code /proc/PID/stat}: tells a reused pid from the holder. */
  private static Optional<String> startTime(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(f[19]);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private String singleIdNote(Path missing) {
    return "no subordinate ids for " + name + " in " + missing + ": only your own uid and gid are"
        + " mapped (as 0), so images with files of other owners cannot be used; add ranges to "
        + SUBUID + " and " + SUBGID + " (usermod --add-subuids 100000-165535 --add-subgids"
        + " 100000-165535 " + name + ")";
  }

  private Path tool(String tool, String pkg) throws UserNamespaceException {
    return which(tool).orElseThrow(() -> new UserNamespaceException(
        tool + " is not installed; a user's containers need it (on Debian/Ubuntu: apt-get install "
            + pkg + ")"));
  }

  private Optional<Path> which(String tool) {
    for (String dir : env.getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return Optional.of(Path.of(dir, tool));
      }
    }
    return Optional.empty();
  }

  private static List<byte[]> split(byte[] nulSeparated) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < nulSeparated.length; i++) {
      if (nulSeparated[i] == 0) {
        out.add(java.util.Arrays.copyOfRange(nulSeparated, start, i));
        start = i + 1;
      }
    }
    if (start < nulSeparated.length) {
      out.add(java.util.Arrays.copyOfRange(nulSeparated, start, nulSeparated.length));
    }
    return out;
  }

  /** Real uid and gid, from {@code /proc/self/status}. */
  private static int[] ids() throws IOException {
    int[] ids = new int[2];
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        ids[0] = Integer.parseInt(line.split("\\s+")[1]);
      } else if (line.startsWith("Gid:")) {
        ids[1] = Integer.parseInt(line.split("\\s+")[1]);
      }
    }
    return ids;
  }

  private static String userName(int uid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
      String[] f = line.split(":", -1);
      if (f.length >= 3 && f[2].equals(Integer.toString(uid))) {
        return f[0];
      }
    }
    return System.getProperty("user.name");
  }

  private static void sleep() throws UserNamespaceException {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserNamespaceException("interrupted while making the user namespace");
    }
  }
}
