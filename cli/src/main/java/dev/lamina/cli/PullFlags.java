package dev.lamina.cli;

import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.transport.ImagePulls;
import dev.lamina.layerfs.transport.PullPolicy;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How {@code run} and {@code create} get an image the store lacks: {@code --pull} and the rest. */
@Command
final class PullFlags {
  @Mixin RegistryFlags registry;

  @Option(
      names = "--pull",
      paramLabel = "POLICY",
      description = "When to pull the image: missing (default), always, never, or newer (when"
          + " the registry's differs; the stored one if the registry cannot be reached).")
  String policy = "missing";

  @Option(names = {"-q", "--quiet"}, description = "Print no pull progress.")
  boolean quiet;

  /** Makes sure {@code image} is in {@code store}; what names it there now. */
  String ensure(Store store, String image) throws IOException {
    PullPolicy p;
    try {
      p = PullPolicy.parse(policy);
    } catch (IllegalArgumentException e) {
      throw new UserException("--pull: " + e.getMessage(), ExitCodes.USAGE);
    }
    try (TransferPrinter progress = new TransferPrinter(quiet)) {
      return ImagePulls.ensure(store, image, p, registry.builder().progress(progress).build());
    }
  }
}
