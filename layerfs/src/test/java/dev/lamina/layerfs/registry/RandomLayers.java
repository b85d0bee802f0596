package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.store.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Layer tars of random (incompressible) files with a text file among them, made by GNU tar. */
final class RandomLayers {
  private RandomLayers() {}

  /** {@code files} random files of {@code size} bytes each, plus {@code etc/motd}. */
  static Path tar(Path work, int files, int size, long seed) throws Exception {
    Path rootfs = Files.createTempDirectory(work, "random-rootfs");
    Random random = new Random(seed);
    for (int i = 0; i < files; i++) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      Path f = rootfs.resolve("data/file-" + i + ".bin");
      Files.createDirectories(f.getParent());
      Files.write(f, bytes);
    }
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/motd"), "random layer " + seed + "\n".repeat(200));
    Path tar = Files.createTempFile(work, "random", ".tar");
    TestImages.run(work, "tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0",
        "--numeric-owner", "-cf", tar.toString(), "-C", rootfs.toString(), ".");
    return tar;
  }
}
