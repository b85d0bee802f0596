package dev.lamina.cli;

import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina load -i FILE} (a docker-archive or oci-archive, told apart by content) or {@code
 * lamina load oci:DIR[:REF]} (any location in skopeo's syntax).
 */
@Command(
    name = "load",
    description = "Load images from an archive (-i FILE) or a location such as oci:DIR[:REF].")
final class LoadCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "A docker-archive or oci-archive tar file.")
  Path input;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "LOCATION",
      description = "oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE[:REF].")
  String location;

  @Option(
      names = {"-t", "--tag"},
      paramLabel = "NAME",
      description = "Name to give the loaded image (when the source holds one).")
  List<String> names = List.of();

  @Override
  public Integer call() throws Exception {
    if ((input == null) == (location == null)) {
      throw new UserException("give either -i FILE or a LOCATION", ExitCodes.USAGE);
    }
    ImageLocation from = input != null ? archive(input) : ImageLocation.parse(location);
    List<ResolvedImage> loaded = ImageTransports.load(store.open(), from, names);
    for (ResolvedImage r : loaded) {
      if (r.names().isEmpty()) {
        Output.out().println("Loaded image: " + r.id());
      }
      r.names().forEach(n -> Output.out().println("Loaded image: " + n));
    }
    return ExitCodes.OK;
  }

  /** An archive file: an oci-archive has an oci-layout entry, anything else is docker-archive. */
  static ImageLocation archive(Path file) throws java.io.IOException {
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString());
    }
    String kind = Archives.hasEntry(file, "oci-layout") ? "oci-archive:" : "docker-archive:";
    return ImageLocation.parse(kind + file.toAbsolutePath());
  }
}
