package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.dirEntry;
import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.symlinkEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.ChildJvm;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extracting a layer (directories, files, symlinks, a FIFO, a whiteout, owners, modes and times)
 * binds no jnr-ffi interface, in a JVM of its own: jnr-ffi generates a binding's classes at its
 * first call, about 80 ms in a cold JVM, which every first run of an image waited for.
 */
class ExtractionBindsNoJnrTest {
  private static final String DONE = "extraction-probe: done";

  /** Run in the child JVM: one extraction, then {@link #DONE}. */
  public static void main(String[] args) throws Exception {
    byte[] layer = TarFixture.tar()
        .add(dirEntry("etc").mode(0750).owner(1, 2).mtime(1_000))
        .add(fileEntry("etc/passwd", "root:x:0:0::/root:/bin/sh\n").owner(3, 4))
        .add(fileEntry("usr/bin/implied", "its parents are implied"))
        .add(symlinkEntry("bin", "usr/bin").owner(5, 6))
        .add(TarFixture.fifo("run/fifo"))
        .add(fileEntry("var/.wh.gone", ""))
        .bytes();
    Path root = Files.createDirectory(Path.of(args[0]));
    LayerApplier.apply(new ByteArrayInputStream(layer), root,
        ApplyOptions.defaults(WhiteoutFormat.overlay()));
    System.out.println(DONE);
  }

  @Test
  void extraction_loadsNoJnrBinding(@TempDir Path dir) throws Exception {
    dev.lamina.layerfs.testing.Requirements.root();
    String log = ChildJvm.classLoads(ExtractionBindsNoJnrTest.class, DONE,
        dir.resolve("root").toString());
    assertTrue(Files.isSymbolicLink(dir.resolve("root/bin")));
    List<String> loaded = log.lines().filter(l -> l.contains(" jnr.ffi.provider.")).toList();
    assertEquals(List.of(), loaded);
  }
}
