package dev.lamina.layerfs.store;

import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A second process working on a store, for tests of what must hold between processes. Started
 * with the test class path by {@link #start}.
 *
 * <pre>
 * tag ROOT SOURCE PREFIX COUNT     tag SOURCE as PREFIX0..PREFIX(COUNT-1)
 * write-forever ROOT               write random bytes into a blob, never commit (to be killed)
 * hold-lease ROOT NAME             lease, write a blob, print its digest, wait for a line, tag
 * </pre>
 */
public final class StoreProcess {
  private StoreProcess() {}

  public static void main(String[] args) throws Exception {
    Store store = Store.open(Path.of(args[1]));
    switch (args[0]) {
      case "tag" -> {
        int count = Integer.parseInt(args[4]);
        for (int i = 0; i < count; i++) {
          store.images().tag(args[2], args[3] + i);
        }
      }
      case "write-forever" -> {
        byte[] buf = new byte[1024 * 1024];
        Random random = new Random(1);
        BlobWriter w = store.blobs().newWriter();
        for (long i = 0; ; i++) {
          random.nextBytes(buf);
          w.write(buf);
          if (i == 4) {
            System.out.println("writing");
            System.out.flush();
          }
        }
      }
      case "hold-lease" -> {
        try (Lease lease = store.lease()) {
          BlobInfo b = store.blobs().put(("in flight " + args[2]).getBytes(StandardCharsets.UTF_8));
          System.out.println(b.digest());
          System.out.flush();
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
          // The in-flight blob becomes the image's (only) layer once it is named.
          var config =
              ImageConfig.empty("1970-01-01T00:00:00Z")
                  .withRootFs(new ImageConfig.RootFs("layers", List.of(b.digest())));
          store.images().write(config, List.of(b.descriptor(MediaType.OCI_LAYER)), args[2]);
        }
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  /** Starts this class in a new JVM with the test class path. */
  static Process start(String... args) throws Exception {
    return ChildJvm.start(StoreProcess.class, args);
  }

  /** Waits for {@code p} to exit 0. */
  static void awaitSuccess(Process p) throws Exception {
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child process timed out");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("child process exited " + p.exitValue());
    }
  }

  /** The next line the child prints. */
  static String readLine(Process p) throws Exception {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
        .readLine();
  }
}
