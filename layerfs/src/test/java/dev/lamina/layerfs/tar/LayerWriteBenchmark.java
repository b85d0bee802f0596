package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.compress.Compression;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Times scanning and writing a directory as a layer blob; run by hand, never by the build:
 *
 * <pre>
 * java -Xmx64m -cp CLASSPATH dev.lamina.layerfs.tar.LayerWriteBenchmark DIR [ROUNDS] [FORMATS]
 * </pre>
 *
 * FORMATS is a comma-separated list of {@code none}, {@code none-file} (to a real file),
 * {@code gzip:LEVEL} and {@code zstd:LEVEL}. Compare with {@code tar -cf - -C DIR . | sha256sum}.
 */
public final class LayerWriteBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private LayerWriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String formats = args.length > 2 ? args[2] : "none,none-file,gzip:6,gzip:1,zstd:3";
    for (int round = 1; round <= rounds; round++) {
      long t0 = System.nanoTime();
      List<LayerEntry> entries = DirectoryScanner.scan(dir);
      long scanned = System.nanoTime();
      System.out.printf("round %d: scan %d entries %.3f s%n",
          round, entries.size(), (scanned - t0) / 1e9);
      for (String format : formats.split(",")) {
        run(format, entries, t0, scanned);
      }
    }
    Runtime rt = Runtime.getRuntime();
    System.out.printf("heap: max %d MiB, committed %d MiB%n",
        rt.maxMemory() >> 20, rt.totalMemory() >> 20);
  }

  private static void run(String format, List<LayerEntry> entries, long t0, long scanned)
      throws Exception {
    String[] parts = format.split(":");
    Compression compression = Compression.valueOf(parts[0].replace("-file", "").toUpperCase());
    int level = parts.length > 1 ? Integer.parseInt(parts[1]) : compression.defaultLevel();
    Path file = null;
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    LayerDigests result;
    if (format.endsWith("-file")) {
      file = Files.createTempFile("layer-bench", ".tar");
      try (OutputStream out = Files.newOutputStream(file)) {
        result = Layers.write(entries, out, compression, level);
      }
    } else {
      try (OutputStream out = new BufferedOutputStream(OutputStream.nullOutputStream())) {
        result = Layers.write(entries, out, compression, level);
      }
    }
    long end = System.nanoTime();
    long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
    System.out.printf(
        "  %-10s write %.3f s, cpu %.3f s (scan+write %.3f s) %,d bytes diff_id %s digest %s%n",
        format, (end - start) / 1e9, cpu / 1e9, (scanned - t0 + end - start) / 1e9, result.size(),
        result.diffId().shortHex(), result.digest().shortHex());
    if (file != null) {
      Files.delete(file);
    }
  }
}
