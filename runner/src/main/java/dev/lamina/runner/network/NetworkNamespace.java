package dev.lamina.runner.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace pinned at a file: a new namespace bind-mounted on the file, so it outlives
 * the thread that made it and netavark and the OCI runtime can join it by path. Made by system
 * calls ({@link NamespaceCalls}), else by {@code unshare --net=FILE true} (util-linux). Removing it unmounts and unlinks the file; the kernel frees the
 * namespace, and with it the container end of every veth, when nothing else holds it.
 */
public final class NetworkNamespace {
  private static final long TIMEOUT_SECONDS = 30;

  private NetworkNamespace() {}

  /**
   * Creates a new network namespace pinned at {@code file} (which must not exist).
   *
   * @throws NetworkException when the namespace cannot be made or pinned
   */
  public static Path create(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    // A bind mount needs a file to mount on.
    Files.createFile(file);
    try {
      if (NamespaceCalls.usable()) {
        NamespaceCalls.createPinned(file);
      } else {
        run(List.of("unshare", "--net=" + file, "true"), "unshare (util-linux)");
      }
    } catch (IOException | RuntimeException | Error e) {
      // Unpinned first: a failure after the bind mount would leave the file busy.
      try {
        remove(file);
      } catch (IOException | RuntimeException left) {
        e.addSuppressed(left);
      }
      if (e instanceof IOException && !(e instanceof NetworkException)) {
        throw new NetworkException(
            "cannot make a network namespace at " + file + ": " + e.getMessage(), e);
      }
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
    if (NamespaceCalls.usable()) {
      while (NamespaceCalls.detach(file)) {
        // Once more: a namespace pinned twice on the file.
      }
    } else {
      while (isPinned(file)) {
        // Detach: a process that still has the file open must not keep the mount in place.
        run(List.of("umount", "-l", file.toString()), "umount (util-linux)");
      }
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
