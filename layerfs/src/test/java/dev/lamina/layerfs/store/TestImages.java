package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.MediaType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Test images made without Lamina's layer writer: a small rootfs tarred by GNU tar, reproducibly.
 */
public final class TestImages {
  private TestImages() {}

  /** A layer tar of {@code files} (name, content pairs) made by GNU tar. */
  public static Path gnuTarLayer(Path work, String... namesAndContents) throws Exception {
    Path rootfs = Files.createTempDirectory(work, "rootfs");
    for (int i = 0; i < namesAndContents.length; i += 2) {
      Path f = rootfs.resolve(namesAndContents[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, namesAndContents[i + 1]);
    }
    Path tar = Files.createTempFile(work, "layer", ".tar");
    run(
        work,
        "tar",
        "--sort=name",
        "--mtime=@0",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        "-cf",
        tar.toString(),
        "-C",
        rootfs.toString(),
        ".");
    return tar;
  }

  /** {@code tar} gzipped. */
  public static Path gzip(Path tar) throws IOException {
    Path gz = tar.resolveSibling(tar.getFileName() + ".gz");
    try (var out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(tar, out);
    }
    return gz;
  }

  /** Stores layers (plain or gzipped tars) and writes a tagged image over them. */
  public static Images.ResolvedImage image(Store store, Path work, String name, String... files)
      throws Exception {
    Path tar = gnuTarLayer(work, files);
    return imageOf(store, List.of(tar), false, name);
  }

  /** An image over {@code tars}, each stored gzipped if {@code gzip}. */
  public static Images.ResolvedImage imageOf(
      Store store, List<Path> tars, boolean gzip, String... names) throws Exception {
    List<Descriptor> layers = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Path tar : tars) {
      diffIds.add(Digest.sha256(Files.readAllBytes(tar)));
      Path stored = gzip ? gzip(tar) : tar;
      try (var in = Files.newInputStream(stored)) {
        layers.add(
            store
                .blobs()
                .put(in)
                .descriptor(gzip ? MediaType.OCI_LAYER_GZIP : MediaType.OCI_LAYER));
      }
    }
    ImageConfig config =
        ImageConfig.empty("1970-01-01T00:00:00Z")
            .withConfig(
                ContainerConfig.EMPTY.toBuilder().cmd(List.of("/bin/sh")).env(List.of("A=1"))
                    .build())
            .withRootFs(new ImageConfig.RootFs("layers", diffIds));
    for (int i = 0; i < tars.size(); i++) {
      config =
          config.withHistory(
              new ImageConfig.History(
                  "1970-01-01T00:00:00Z", "layer " + i, null, null, null));
    }
    return store.images().write(config, layers, names);
  }

  /** Runs a command, failing with its output if it exits non-zero; returns stdout+stderr. */
  public static String run(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(
          String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
    }
    return text;
  }

  /** Runs a command and returns its exit code (output discarded). */
  public static int exitCode(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    return p.exitValue();
  }
}
