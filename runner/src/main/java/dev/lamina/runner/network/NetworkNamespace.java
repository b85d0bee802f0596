package dev.lamina.runner.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace pinned at a file: {@code unshare --net=FILE true} (util-linux) makes a new
 * namespace and bind-mounts it on {@code FILE}, so it outlives the helper and netavark and the OCI
 * runtime can join it by path. Removing it unmounts and unlinks the file; the kernel frees the
 * namespace, and with it the container end of every veth, when nothing else holds it.
 */
public final class NetworkNamespace {
  private static final long TIMEOUT_SECONDS = 30;

  private NetworkNamespace() {}

  /**
   * Creates a new network namespace pinned at {@code file} (which must not exist).
   *
   * @throws NetworkException when {@code unshare} is missing or fails
   */
  public static Path create(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    // unshare bind-mounts onto an existing file.
    Files.createFile(file);
    try {
      run(List.of("unshare", "--net=" + file, "true"), "unshare (util-linux)");
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return file;
  }

  /**
   * Adds an interface {@code name} in the namespace pinned at {@code file} (iproute2): one end of
   * a veth pair, as netavark's own interfaces are (the dummy driver may not be loaded).
   *
   * @throws NetworkException when {@code ip} is missing or fails
   */
  static void addDummy(Path file, String name) throws IOException {
    run(List.of("nsenter", "--net=" + file, "ip", "link", "add", name, "type", "veth", "peer", "name", "standin" + Math.abs(name.hashCode() % 10000)), "ip (iproute2)");
  }

  /** Whether {@code file} is a pinned namespace (a mount point of an nsfs). */
  public static boolean isPinned(Path file) throws IOException {
    String target = file.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length > 4 && f[4].equals(target.replace(" ", "\\040")) && line.contains(" - nsfs ")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Unpins and deletes {@code file}; nothing when it is already gone (teardown may run twice).
   *
   * @throws NetworkException when the unmount fails
   */
  public static void remove(Path file) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    while (isPinned(file)) {
      // Detach: a process that still has the file open must not keep the mount in place.
      run(List.of("umount", "-l", file.toString()), "umount (util-linux)");
    }
    try {
      Files.delete(file);
    } catch (NoSuchFileException e) {
      // Another teardown got there first.
    }
  }

  private static void run(List<String> command, String tool) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new NetworkException(tool + " is not available: " + e.getMessage(), e);
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new NetworkException(String.join(" ", command) + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new NetworkException(String.join(" ", command) + " interrupted");
    }
    if (p.exitValue() != 0) {
      throw new NetworkException(String.join(" ", command) + " failed: " + out.replace('\n', ' '));
    }
  }
}
