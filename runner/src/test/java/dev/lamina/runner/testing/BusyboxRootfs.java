package dev.lamina.runner.testing;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A minimal root filesystem for container tests, built from Debian's busybox-static: {@code
 * /bin/busybox} with every applet as a symlink to it, and account files with root, a named user
 * {@code app} (1000:1000, also in group {@code staff}) and {@code nobody} (65534).
 */
public final class BusyboxRootfs {
  public static final String PASSWD =
      "root:x:0:0:root:/root:/bin/sh\n"
          + "app:x:1000:1000:app:/home/app:/bin/sh\n"
          + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
  public static final String GROUP =
      "root:x:0:\n" + "staff:x:50:app\n" + "app:x:1000:\n" + "nogroup:x:65534:\n";

  private BusyboxRootfs() {}

  /** The static busybox binary; skips (or fails under CI) without busybox-static. */
  public static Path busybox() {
    Path bin = Path.of("/bin/busybox");
    Requirements.require(Files.isExecutable(bin), "busybox (apt-get install busybox-static)");
    return bin;
  }

  /**
   * Fills {@code dir} (created when missing) with the root filesystem and returns it.
   *
   * @throws IOException if listing applets or writing fails
   */
  public static Path create(Path dir) throws IOException {
    Path busybox = busybox();
    Files.createDirectories(dir);
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(busybox, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
    for (String applet : applets(busybox)) {
      if (!applet.equals("busybox")) {
        Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
      }
    }
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(etc.resolve("passwd"), PASSWD, StandardCharsets.UTF_8);
    Files.writeString(etc.resolve("group"), GROUP, StandardCharsets.UTF_8);
    for (String d : List.of("root", "home/app", "tmp", "proc", "sys", "dev", "var")) {
      Files.createDirectories(dir.resolve(d));
    }
    return dir;
  }

  private static List<String> applets(Path busybox) throws IOException {
    Process p = new ProcessBuilder(busybox.toString(), "--list").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException("busybox --list failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
