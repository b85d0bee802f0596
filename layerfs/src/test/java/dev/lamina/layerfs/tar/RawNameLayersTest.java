package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.testing.RawNames;
import dev.lamina.layerfs.testing.Requirements;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * File names are bytes from a directory to a layer and back: names that are not UTF-8 (an
 * invalid byte, Latin-1, two names one byte apart) keep every byte, as do UTF-8 names. Fixtures
 * are made and read by the shell and GNU tar, never through Java's path charset.
 */
class RawNameLayersTest {
  @TempDir Path tmp;

  @Test
  void directoryToLayerToTree_keepsEveryByteOfEveryName() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    RawNames.create(src);
    Path layer = tmp.resolve("layer.tar");
    try (OutputStream out = Files.newOutputStream(layer)) {
      Layers.write(DirectoryScanner.scan(src), out, Compression.NONE, 0);
    }

    // GNU tar reads the names Lamina wrote as the same bytes.
    Path gnuTar = Requirements.tool("tar");
    byte[] listing =
        RawNames.sh("\"$1\" --quoting-style=literal -tf \"$2\" | tr '\\n' '\\0'",
            gnuTar.toString(), layer.toString());
    assertEquals(expectedTarNames(), hexFields(listing));

    Path dest = Files.createDirectory(tmp.resolve("dest"));
    apply(layer, dest);
    assertEquals(RawNames.expected(), RawNames.list(dest));
  }

  /** A tar written by GNU tar in each format it has for names that are not ASCII. */
  @ParameterizedTest
  @ValueSource(strings = {"gnu", "pax", "ustar"})
  void gnuTarArchive_extractsEveryByteOfEveryName(String format) throws Exception {
    Path gnuTar = Requirements.tool("tar");
    Path src = Files.createDirectory(tmp.resolve("src"));
    RawNames.create(src);
    Path layer = tmp.resolve("layer.tar");
    RawNames.sh("cd \"$2\" && \"$1\" --format=\"$3\" -cf \"$4\" .",
        gnuTar.toString(), src.toString(), format, layer.toString());

    Path dest = Files.createDirectory(tmp.resolve("dest"));
    apply(layer, dest);
    assertEquals(RawNames.expected(), RawNames.list(dest));
  }

  private static void apply(Path layer, Path dest) throws Exception {
    try (InputStream in = Files.newInputStream(layer)) {
      LayerApplier.apply(in, dest.toRealPath(),
          ApplyOptions.defaults(WhiteoutFormat.flatten()).withRestoreOwners(false));
    }
  }

  private static TreeSet<String> expectedTarNames() throws Exception {
    TreeSet<String> names = new TreeSet<>();
    for (String hex : RawNames.expected().keySet()) {
      names.add(hex);
    }
    // Directories are written with a trailing slash.
    for (String[] f : RawNames.FILES) {
      int slash = f[0].lastIndexOf('/');
      if (slash > 0) {
        String dir = RawNames.hex(f[0].substring(0, slash));
        names.remove(dir);
        names.add(dir + "2f");
      }
    }
    return names;
  }

  private static TreeSet<String> hexFields(byte[] data) {
    TreeSet<String> out = new TreeSet<>();
    int start = 0;
    for (int i = 0; i < data.length; i++) {
      if (data[i] == 0) {
        out.add(HexFormat.of().formatHex(data, start, i));
        start = i + 1;
      }
    }
    return out;
  }
}
