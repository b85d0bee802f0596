package dev.lamina.cli;

import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.registry.RegistryOptions;
import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImagePulls;
import dev.lamina.layerfs.transport.ImageTransports;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina pull SOURCE [NAME]}: copies an image into the store from a registry ({@code
 * docker://HOST/NAME:TAG}, or the reference alone) or from {@code oci:}, {@code oci-archive:} or
 * {@code docker-archive:}. Prints the image id.
 */
@Command(
    name = "pull",
    description = "Pull an image from a registry (docker://HOST/NAME[:TAG|@DIGEST] or"
        + " HOST/NAME[:TAG]) or a location such as oci:DIR[:REF].")
final class PullCommand implements Callable<Integer> {
  @Mixin StoreOptions store;
  @Mixin RegistryFlags registry;

  @Parameters(
      index = "0",
      paramLabel = "SOURCE",
      description = "docker://HOST[:PORT]/NAME[:TAG|@DIGEST] (docker:// may be left out),"
          + " oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE[:REF].")
  String source;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "NAME",
      description = "Name for the image in the store (default: its reference).")
  String name;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platform to pull from a multi-platform image (default: this host's).")
  String platform;

  @Option(
      names = "--all-platforms",
      description = "Pull a multi-platform image whole (every platform and the index).")
  boolean allPlatforms;

  @Option(
      names = {"-j", "--jobs"},
      paramLabel = "N",
      description = "Blobs downloaded at once (default 3).")
  int jobs = RegistryOptions.DEFAULT_JOBS;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print no progress, only the image id.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    ImageLocation from = ImageLocation.parse(location(source));
    if (platform != null && allPlatforms) {
      throw new UserException("give --platform or --all-platforms, not both", ExitCodes.USAGE);
    }
    RegistryOptions.Builder b =
        registry.builder().jobs(PushCommand.positive(jobs, "--jobs")).allPlatforms(allPlatforms);
    if (platform != null) {
      try {
        b.platform(Platform.parse(platform));
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage(), ExitCodes.USAGE);
      }
    }
    List<ResolvedImage> pulled;
    List<String> names = name == null ? List.of() : List.of(name);
    try (TransferPrinter progress = new TransferPrinter(quiet)) {
      if (from.transport() == ImageLocation.Transport.DOCKER) {
        // A name as typed: a short one resolves through registries.conf, as in podman.
        pulled = List.of(ImagePulls.pull(store.open(), source, names,
            b.progress(progress).build()));
      } else {
        pulled = ImageTransports.load(store.open(), from, names, b.progress(progress).build());
      }
    }
    for (ResolvedImage r : pulled) {
      Output.out().println(r.id());
    }
    return ExitCodes.OK;
  }

  /** A location in transport syntax; a bare reference means a registry, as in podman. */
  static String location(String text) {
    for (ImageLocation.Transport t : ImageLocation.Transport.values()) {
      if (text.startsWith(t.prefix() + ":")) {
        return text;
      }
    }
    return "docker://" + text;
  }
}
