package dev.lamina.cli;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.store.Images.RemovedImage;
import dev.lamina.layerfs.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina rmi [-f] IMAGE...}: removes names, and images left without one. */
@Command(name = "rmi", description = "Remove one or more images.")
class RmiCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = {"-f", "--force"},
      description = "Remove an image even if containers use it or it has several names.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image names or ids.")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    Store s = store.open();
    var api = s.images(Usage.of(s), Hooks.released(s));
    int failed = 0;
    for (String image : images) {
      try {
        RemovedImage removed = api.remove(image, force);
        removed.untagged().forEach(n -> Output.out().println("Untagged: " + n));
        for (Digest d : removed.deleted()) {
          Output.out().println("Deleted: " + d);
        }
      } catch (java.io.IOException | IllegalArgumentException e) {
        System.err.println("lamina: " + ErrorHandler.oneLine(e));
        failed++;
      }
    }
    return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }

  /** {@code lamina image rm}. */
  @Command(name = "rm", aliases = "remove", description = "Remove one or more images.")
  static final class Rm extends RmiCommand {}
}
