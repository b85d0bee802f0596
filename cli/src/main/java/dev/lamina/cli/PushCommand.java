package dev.lamina.cli;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.ref.Reference;
import dev.lamina.layerfs.registry.RegistryOptions;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.OutputFiles;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina push IMAGE [DESTINATION]}: copies an image out, to a registry ({@code
 * docker://HOST/NAME:TAG}, or the reference alone, as for pull) or to {@code oci:DIR:REF} and the
 * archives. Without a destination, to the registry the image's name names, as docker pushes.
 */
@Command(
    name = "push",
    description = "Copy an image to a registry (docker://HOST/NAME[:TAG]) or a location:"
        + " oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF].")
final class PushCommand implements Callable<Integer> {
  @Mixin StoreOptions store;
  @Mixin RegistryFlags registry;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id.")
  String image;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "DESTINATION",
      description = "docker://HOST[:PORT]/NAME[:TAG|@DIGEST] (docker:// may be left out),"
          + " oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE[:REF]"
          + " (default: the registry and name in IMAGE's name).")
  String destination;

  @Option(
      names = "--compression-format",
      paramLabel = "FORMAT",
      description = "Compress layers on the way to a registry: gzip, zstd or none"
          + " (default: send them as stored).")
  String compressionFormat;

  @Option(
      names = "--compression-level",
      paramLabel = "N",
      description = "Compression level (gzip 1-9, default 6; zstd 1-22, default 3).")
  Integer compressionLevel;

  @Option(
      names = "--chunk-size",
      paramLabel = "SIZE",
      description = "Upload blobs in chunks of SIZE (e.g. 8MiB); default one request per blob.")
  String chunkSize;

  @Option(
      names = {"-j", "--jobs"},
      paramLabel = "N",
      description = "Blobs uploaded at once (default 3).")
  int jobs = RegistryOptions.DEFAULT_JOBS;

  @Option(
      names = "--additional-tag",
      paramLabel = "TAG",
      description = "Also tag the pushed image TAG in the same repository (repeatable).")
  List<String> additionalTags = List.of();

  @Option(
      names = "--digestfile",
      paramLabel = "FILE",
      description = "Write the digest of the pushed image to FILE.")
  Path digestFile;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print no progress.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    Store s = store.open();
    String dest = destination != null ? destination : registryOf(s, image);
    ImageLocation to = ImageLocation.parse(PullCommand.location(dest));
    boolean toRegistry = to.transport() == ImageLocation.Transport.DOCKER;
    if (!toRegistry && (compressionFormat != null || chunkSize != null
        || !additionalTags.isEmpty())) {
      throw new UserException(
          "--compression-format, --chunk-size and --additional-tag apply to docker:// only",
          ExitCodes.USAGE);
    }
    RegistryOptions.Builder b = registry.builder().jobs(positive(jobs, "--jobs"))
        .additionalTags(additionalTags)
        .compressionLevel(compressionLevel);
    if (compressionFormat != null) {
      b.compression(compression(compressionFormat));
    } else if (compressionLevel != null) {
      throw new UserException("--compression-level needs --compression-format", ExitCodes.USAGE);
    }
    if (chunkSize != null) {
      b.chunkSize(Sizes.parse(chunkSize));
    }
    Descriptor pushed;
    try (TransferPrinter progress = new TransferPrinter(quiet)) {
      pushed = ImageTransports.save(s, List.of(image), to,
          b.progress(progress).build());
    }
    if (digestFile != null) {
      OutputFiles.write(digestFile, pushed.digest().toString().getBytes(StandardCharsets.UTF_8));
    }
    return ExitCodes.OK;
  }

  /**
   * Where {@code push IMAGE} goes: the registry and repository of the name {@code image} stands
   * for in the store ({@code alpine} may be {@code docker.io/library/alpine:latest}).
   */
  private static String registryOf(Store s, String image) throws java.io.IOException {
    s.images().resolve(image); // an unknown image is said as such, before any name is checked
    String named = s.images().nameOf(image);
    if (named == null) {
      throw new UserException("give a DESTINATION: " + image
          + " is not a name, so it names no registry", ExitCodes.USAGE);
    }
    Reference ref = Reference.parse(named);
    if (ref.domain().equals(Reference.LOCAL_DOMAIN)) {
      throw new UserException("give a DESTINATION: " + named + " is a local name (localhost/),"
          + " it names no registry", ExitCodes.USAGE);
    }
    return "docker://" + named;
  }

  private static Compression compression(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "gzip" -> Compression.GZIP;
      case "zstd" -> Compression.ZSTD;
      case "none", "uncompressed" -> Compression.NONE;
      default -> throw new UserException(
          "unknown --compression-format " + name + " (want gzip, zstd or none)", ExitCodes.USAGE);
    };
  }

  static int positive(int n, String flag) {
    if (n < 1) {
      throw new UserException(flag + " must be at least 1", ExitCodes.USAGE);
    }
    return n;
  }
}
