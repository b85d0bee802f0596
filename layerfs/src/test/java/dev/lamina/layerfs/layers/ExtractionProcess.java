package dev.lamina.layerfs.layers;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.ChildJvm;
import dev.lamina.layerfs.testing.OpenDescriptors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A second process extracting one layer of a store, to be started where the test JVM cannot be
 * (a user namespace). It prints what became of it:
 *
 * <pre>
 * ROOT MEDIA_TYPE DIGEST SIZE DIFF_ID
 *   extracted                 the layer was extracted, or
 *   failed CLASS              the exception's class,
 *   open N                    descriptors left open on what the extraction wrote,
 *   MESSAGE                   the exception's message, to the end of the output
 * </pre>
 */
public final class ExtractionProcess {
  private ExtractionProcess() {}

  public static void main(String[] args) throws Exception {
    Store store = Store.open(Path.of(args[0]));
    Descriptor layer = Descriptor.of(args[1], Digest.parse(args[2]), Long.parseLong(args[3]));
    try {
      ExtractedLayers.of(store).ensure(layer, Digest.parse(args[4]));
      System.out.println("extracted");
    } catch (IOException e) {
      System.out.println("failed " + e.getClass().getName());
      System.out.println("open " + openOnTemporaryTrees(store.layersDir()));
      System.out.print(e.getMessage());
    }
  }

  /** Descriptors of this process on anything under a {@code .tmp-} tree of {@code layers}. */
  private static long openOnTemporaryTrees(Path layers) throws IOException {
    return OpenDescriptors.under(layers).stream()
        .filter(p -> p.toString().contains("/.tmp-")).count();
  }

  /** This class in a new JVM with the test class path, started by {@code prefix}. */
  static ProcessBuilder of(List<String> prefix, String... args) {
    ProcessBuilder pb = ChildJvm.of(ExtractionProcess.class, args);
    pb.command().addAll(0, prefix);
    return pb;
  }
}
