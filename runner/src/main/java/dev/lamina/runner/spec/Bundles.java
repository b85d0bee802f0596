package dev.lamina.runner.spec;

import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the {@code config.json} of an OCI runtime bundle: the one place where a spec becomes what
 * the runtime reads, for a container ({@code run}, {@code create}) and a build's {@code RUN} step
 * alike, so that what running as an unprivileged user changes in it ({@link RootlessSpecs}) is
 * decided once.
 */
public final class Bundles {
  /** The spec's file name in a bundle directory. */
  public static final String CONFIG = "config.json";

  private Bundles() {}

  /**
   * Writes {@code spec}, adapted to this process's privileges, as {@code dir}'s {@code
   * config.json}, atomically (and fsynced when {@code durable}). Returns what was written.
   */
  public static RuntimeSpec write(Path dir, RuntimeSpec spec, boolean durable) throws IOException {
    RuntimeSpec adapted = RootlessSpecs.forThisProcess(spec);
    AtomicFiles.write(
        dir.resolve(CONFIG), JsonWriter.toBytes(adapted, RuntimeSpecCodec.INSTANCE), durable);
    return adapted;
  }
}
