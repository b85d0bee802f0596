package dev.lamina.runner.spec;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.runner.internal.ResolvConfFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A container's {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf}: files of
 * its own, bind-mounted over the image's (as Docker, Podman and BuildKit do), so that the image's
 * files are never changed, nothing written to them reaches a layer, and DNS works as on the host.
 * Used for the containers of {@code run} and for a build's {@code RUN} steps alike.
 */
public final class EtcFiles {
  /** The container paths these files cover. */
  public static final Set<String> PATHS = Set.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf");

  private static final int MAX_BYTES = 1024 * 1024;

  private final HostFiles host;

  /**
   * Where the host's own files are read.
   *
   * @param hosts the host's {@code hosts} file, copied for a container on the host's network
   * @param resolvConf the host's resolver configuration
   * @param systemdResolvConf systemd-resolved's list of the real upstream servers, read instead of
   *     {@code resolvConf} when that names only resolved's local stub (127.0.0.53), which a
   *     container outside the host's network cannot reach
   */
  public record HostFiles(Path hosts, Path resolvConf, Path systemdResolvConf) {
    public HostFiles {
      Objects.requireNonNull(hosts, "hosts");
      Objects.requireNonNull(resolvConf, "resolvConf");
      Objects.requireNonNull(systemdResolvConf, "systemdResolvConf");
    }

    /** The host's files where they are: {@code /etc/hosts}, {@code /etc/resolv.conf}. */
    public static HostFiles system() {
      return new HostFiles(
          Path.of("/etc/hosts"),
          Path.of("/etc/resolv.conf"),
          Path.of("/run/systemd/resolve/resolv.conf"));
    }

    /** These files, with the resolver configuration read from {@code file}. */
    public HostFiles withResolvConf(Path file) {
      return new HostFiles(hosts, file, systemdResolvConf);
    }
  }

  /**
   * What a container's files say.
   *
   * @param hostname the container's name, in {@code /etc/hostname} and on a loopback line of
   *     {@code /etc/hosts}
   * @param hostResolvers whether the container is in the host's network namespace, where the
   *     host's loopback resolvers answer: the host's resolver configuration is then kept as it is
   * @param hostNames whether {@code /etc/hosts} starts with the host's own (Docker's {@code
   *     --network=host}); otherwise it holds loopback names only, as BuildKit writes it
   * @param readOnly whether the container may not write to them (a build step, as in BuildKit)
   */
  public record Setup(String hostname, boolean hostResolvers, boolean hostNames, boolean readOnly) {
    public Setup {
      Objects.requireNonNull(hostname, "hostname");
    }

    /** A container of {@code run} on {@code network}: writable, as in Docker. */
    public static Setup container(String hostname, Network network) {
      boolean host = network == Network.HOST;
      return new Setup(hostname, host, host, false);
    }

    /**
     * A build step: loopback names, read-only; the host's resolvers as they are only when the
     * step shares the host's network ({@code RUN --network=host}), else with loopback ones
     * replaced, as for BuildKit's sandboxed and {@code none} networks.
     */
    public static Setup buildStep(String hostname, boolean hostNetwork) {
      return new Setup(hostname, hostNetwork, false, true);
    }
  }

  /** The files made from the host's {@code host} files. */
  public EtcFiles(HostFiles host) {
    this.host = Objects.requireNonNull(host, "host");
  }

  /** The files made from the host's files where they are. */
  public static EtcFiles ofHost() {
    return new EtcFiles(HostFiles.system());
  }

  /**
   * Writes the three files into {@code dir} and returns their binds, leaving out any path the
   * user binds himself ({@code taken}).
   *
   * @throws IOException if a file cannot be written
   */
  public List<BindMount> write(Path dir, Setup setup, Set<String> taken) throws IOException {
    List<BindMount> binds = new ArrayList<>();
    add(binds, taken, dir.resolve("hostname"), "/etc/hostname", setup.hostname() + "\n", setup);
    add(binds, taken, dir.resolve("hosts"), "/etc/hosts", hosts(setup), setup);
    add(binds, taken, dir.resolve("resolv.conf"), "/etc/resolv.conf", resolvConf(setup), setup);
    return binds;
  }

  private static void add(
      List<BindMount> binds, Set<String> taken, Path file, String dest, String content,
      Setup setup) throws IOException {
    if (taken.contains(dest)) {
      return;
    }
    // Not synced: the files are made again whenever the container is created.
    AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8), false);
    // Every user of the container reads them (the temp file was created 0600).
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    binds.add(new BindMount(file.toAbsolutePath(), dest, setup.readOnly()));
  }

  /**
   * Replaces the text of a file {@link #write} made in {@code dir} ({@code hosts} or {@code
   * resolv.conf}); nothing when the user binds that path himself (no file was made).
   *
   * @throws IOException if the file cannot be written
   */
  public static void rewrite(Path dir, String file, String content) throws IOException {
    Path f = dir.resolve(file);
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    AtomicFiles.write(f, content.getBytes(StandardCharsets.UTF_8), false);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
  }

  /**
   * The same for a container that runs: written in place, because the container sees the file
   * through a bind mount of its inode, which a rename would leave behind.
   */
  public static void rewriteInPlace(Path dir, String file, String content) throws IOException {
    Path f = dir.resolve(file);
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.write(f, content.getBytes(StandardCharsets.UTF_8), LinkOption.NOFOLLOW_LINKS,
        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * For a container in another's network namespace ({@code --network container:}), the other's
   * view of names, written in place into the files {@link #write} made in {@code dir} (it may be
   * running): the other's {@code resolv.conf} (aardvark-dns on a network with DNS), and its
   * {@code hosts} (its names and addresses) with this container's {@code hostname} and {@code
   * name} added on loopback, as podman writes them. A file either container binds itself (none
   * made) is left alone. Read from the other's files as they are now, at most 1 MiB of each.
   *
   * @throws IOException if a file cannot be read or written
   */
  public static void shareNames(Path dir, Path otherDir, String hostname, String name)
      throws IOException {
    Path otherResolv = otherDir.resolve("resolv.conf");
    if (Files.isRegularFile(otherResolv, LinkOption.NOFOLLOW_LINKS)) {
      rewriteInPlace(dir, "resolv.conf", read(otherResolv));
    }
    Path otherHosts = otherDir.resolve("hosts");
    if (Files.isRegularFile(otherHosts, LinkOption.NOFOLLOW_LINKS)) {
      StringBuilder hosts = new StringBuilder(read(otherHosts));
      if (hosts.length() > 0 && hosts.charAt(hosts.length() - 1) != '\n') {
        hosts.append('\n');
      }
      hosts.append("127.0.0.1\t").append(hostname);
      if (name != null && !name.equals(hostname)) {
        hosts.append(' ').append(name);
      }
      rewriteInPlace(dir, "hosts", hosts.append('\n').toString());
    }
  }

  /** The text of {@code hosts} for {@code setup}, as {@link #write} writes it. */
  public String hostsText(Setup setup) throws IOException {
    return hosts(setup);
  }

  /** The text of {@code resolv.conf} for {@code setup}, as {@link #write} writes it. */
  public String resolvConfText(Setup setup) throws IOException {
    return resolvConf(setup);
  }

  /**
   * With the host's names, the host's own hosts file and the container's name on 127.0.1.1;
   * otherwise loopback alone, the container's name on 127.0.0.1 (BuildKit's file).
   */
  String hosts(Setup setup) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (setup.hostNames()) {
      String own = read(host.hosts());
      sb.append(own);
      if (!own.isEmpty() && !own.endsWith("\n")) {
        sb.append('\n');
      }
      if (sb.indexOf("localhost") < 0) {
        sb.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
      }
      return sb.append("127.0.1.1\t").append(setup.hostname()).append('\n').toString();
    }
    return "127.0.0.1\tlocalhost " + setup.hostname() + "\n" + IPV6_LOOPBACK;
  }

  private static final String IPV6_LOOPBACK = "::1\tlocalhost ip6-localhost ip6-loopback\n";

  /**
   * Loopback names alone, for a container with an address of its own: its hostname goes on that
   * address's line instead, as Docker writes it.
   */
  public static String loopbackHosts() {
    return "127.0.0.1\tlocalhost\n" + IPV6_LOOPBACK;
  }

  /**
   * The host's resolver configuration: as it is for the host's network; for any other, with
   * systemd-resolved's upstream list read in place of its stub, then loopback servers replaced.
   */
  String resolvConf(Setup setup) throws IOException {
    ResolvConfFile conf = ResolvConfFile.parse(read(host.resolvConf()));
    if (setup.hostResolvers()) {
      return conf.withDefaultsIfEmpty().text();
    }
    if (conf.isSystemdResolvedStub()) {
      conf = ResolvConfFile.parse(read(host.systemdResolvConf()));
    }
    return conf.outsideHostNetwork().text();
  }

  /**
   * Makes {@code dir} a tree holding an empty file at each of {@link #PATHS} (in an {@code etc}
   * directory): laid under a root filesystem's layers as the lowest overlay lower, it gives the
   * runtime a mount point for each file where the image has none, so that it never has to create
   * one, nor copy up the image's {@code /etc} to hold it, in the writable layer. An image's own
   * files hide these. Idempotent.
   *
   * @return {@code dir}
   * @throws IOException if the tree cannot be made
   */
  public static Path mountPointLayer(Path dir) throws IOException {
    return mountPointLayer(dir, PATHS);
  }

  /**
   * Like {@link #mountPointLayer(Path)}, with an empty file at each of {@code paths} (absolute
   * container paths, such as those of {@link #missingMountPoints}); missing parents are made
   * 0755. Existing entries are left as they are.
   *
   * @throws IOException if the tree cannot be made
   */
  public static Path mountPointLayer(Path dir, Collection<String> paths) throws IOException {
    Files.createDirectories(dir);
    for (String p : new TreeSet<>(paths)) {
      Path file = dir.resolve(p.substring(1)).normalize();
      if (!file.startsWith(dir) || file.equals(dir)) {
        throw new IOException("not a path inside the root: " + p);
      }
      makeParents(dir, file.getParent());
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(file);
        Posix.chmod(file, 0644);
      }
    }
    return dir;
  }

  /**
   * Where in {@code root} the runtime would have to create a mount point for one of {@link
   * #PATHS}: each path that is missing, followed through the root's symlinks inside the root (an
   * image's {@code /etc/resolv.conf} may be a link to {@code
   * ../run/systemd/resolve/stub-resolv.conf}, which the runtime mounts over).
   *
   * @return absolute container paths, sorted
   * @throws IOException on a symlink loop or an unreadable link
   */
  public static List<String> missingMountPoints(Path root) throws IOException {
    List<String> missing = new ArrayList<>();
    for (String p : new TreeSet<>(PATHS)) {
      Path host = RootFiles.resolve(root, p);
      if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        missing.add("/" + root.relativize(host));
      }
    }
    return missing;
  }

  /**
   * Adds the mount points a plain root filesystem (a flattened copy of layers) lacks for the
   * files ({@link #missingMountPoints}): what {@link #mountPointLayer} gives an overlay mount.
   * Nothing is followed out of {@code root}.
   *
   * @throws IOException if a mount point cannot be made
   */
  public static void addMountPoints(Path root) throws IOException {
    List<String> missing = missingMountPoints(root);
    // Under an overlay the mount points sit in a lower of their own, below the image's layers, so
    // the directories that hold them keep the image's times; a copy's directories must keep them
    // too, or the first step that changes anything in /etc gives it a new time in its layer.
    Map<Path, FileStat> existing = new LinkedHashMap<>();
    for (String p : missing) {
      for (Path dir = root.resolve(p.substring(1)).getParent();
          dir != null && dir.startsWith(root);
          dir = dir.getParent()) {
        if (!existing.containsKey(dir) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          existing.put(dir, Posix.lstat(dir));
        }
      }
    }
    mountPointLayer(root, missing);
    for (Map.Entry<Path, FileStat> e : existing.entrySet()) {
      Posix.lsetMtime(e.getKey(), e.getValue().mtimeSeconds(), e.getValue().mtimeNanos());
    }
  }

  /** Makes each missing directory from {@code dir} down to {@code parent}, 0755, no links. */
  private static void makeParents(Path dir, Path parent) throws IOException {
    Path at = dir;
    for (Path name : dir.relativize(parent)) {
      at = at.resolve(name);
      if (Files.isSymbolicLink(at)) {
        throw new IOException("a mount point's parent is a link: " + at);
      }
      if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(at);
        Posix.chmod(at, 0755);
      }
    }
  }

  /** The host file, or empty when it is missing; capped so that a huge file cannot stall us. */
  private static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }
}
