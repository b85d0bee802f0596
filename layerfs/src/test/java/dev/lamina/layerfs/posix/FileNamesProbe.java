package dev.lamina.layerfs.posix;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.Layers;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * Run in a JVM of its own under a given locale by {@link FileNamesTest}: copies the tree {@code
 * args[0]} to {@code args[1]} through a layer, and prints the JVM's file name charset.
 */
public final class FileNamesProbe {
  private FileNamesProbe() {}

  public static void main(String[] args) throws Exception {
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    Layers.write(DirectoryScanner.scan(Path.of(args[0])), layer, Compression.NONE, 0);
    LayerApplier.apply(new ByteArrayInputStream(layer.toByteArray()), Path.of(args[1]),
        ApplyOptions.defaults(WhiteoutFormat.flatten()).withRestoreOwners(false));
    System.out.print(System.getProperty("sun.jnu.encoding"));
  }
}
