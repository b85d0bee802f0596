package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.layerfs.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The busybox sample as a build context: its rootfs.tar made by the sample's own make-rootfs. */
final class BusyboxBase {
  private BusyboxBase() {}

  /** The context in {@code dir}/busybox, with the sample's Containerfile. */
  static Path context(Path dir) throws Exception {
    Requirements.require(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static");
    Requirements.tool("tar");
    Path sample = Path.of("../samples/busybox").toAbsolutePath().normalize();
    Path ctx = Files.createDirectories(dir.resolve("busybox"));
    Path rootfs = dir.resolve("busybox-rootfs");
    run(sample.resolve("make-rootfs").toString(), rootfs.toString());
    run("tar", "--numeric-owner", "--sort=name", "--mtime=@0", "-C", rootfs.toString(), "-cf",
        ctx.resolve("rootfs.tar").toString(), ".");
    Files.copy(sample.resolve("Containerfile"), ctx.resolve("Containerfile"));
    return ctx;
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      fail(String.join(" ", command) + ":\n" + output);
    }
  }
}
