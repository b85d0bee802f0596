package dev.lamina.cli;

import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina save -o FILE [--format docker-archive|oci-archive] IMAGE...}. */
@Command(name = "save", description = "Save images to a docker-archive or oci-archive file.")
final class SaveCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "The archive to write.")
  Path output;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "docker-archive",
      description = "docker-archive (default) or oci-archive.")
  String format;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image names or ids.")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("docker-archive") && !format.equals("oci-archive")) {
      throw new UserException(
          "unknown --format " + format + " (want docker-archive or oci-archive)", ExitCodes.USAGE);
    }
    ImageLocation to = ImageLocation.parse(format + ":" + output.toAbsolutePath());
    ImageTransports.save(store.open(), images, to);
    return ExitCodes.OK;
  }
}
