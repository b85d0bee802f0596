package dev.lamina.cli;

import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lamina push IMAGE DESTINATION}: copies an image out, e.g. to {@code oci:DIR:REF}. */
@Command(
    name = "push",
    description = "Copy an image to a location: oci:DIR[:REF], oci-archive:FILE[:REF], ...")
final class PushCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id.")
  String image;

  @Parameters(
      index = "1",
      paramLabel = "DESTINATION",
      description = "oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE[:REF].")
  String destination;

  @Override
  public Integer call() throws Exception {
    ImageTransports.save(store.open(), List.of(image), ImageLocation.parse(destination));
    return ExitCodes.OK;
  }
}
