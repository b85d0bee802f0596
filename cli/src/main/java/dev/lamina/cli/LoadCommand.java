package dev.lamina.cli;

import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import dev.lamina.layerfs.store.Store;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina load -i FILE} (a docker-archive or oci-archive, told apart by content), {@code
 * lamina load oci:DIR[:REF]} (any location in skopeo's syntax), or {@code lamina load < FILE} (an
 * archive on stdin, as {@code docker load}).
 */
@Command(
    name = "load",
    description = "Load images from an archive (-i FILE, or stdin) or a location such as"
        + " oci:DIR[:REF].")
final class LoadCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "A docker-archive or oci-archive tar file (default: stdin; - is stdin).")
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
    if (input != null && location != null) {
      throw new UserException("give either -i FILE or a LOCATION", ExitCodes.USAGE);
    }
    List<ResolvedImage> loaded;
    if (location != null) {
      loaded = ImageTransports.load(store.open(), ImageLocation.parse(location), names);
    } else if (input != null && !input.toString().equals("-")) {
      loaded = ImageTransports.load(store.open(), archive(input), names);
    } else {
      loaded = fromStdin();
    }
    for (ResolvedImage r : loaded) {
      if (r.names().isEmpty()) {
        Output.out().println("Loaded image: " + r.id());
      }
      r.names().forEach(n -> Output.out().println("Loaded image: " + n));
    }
    return ExitCodes.OK;
  }

  /**
   * The archive on stdin, copied into the store's tmp first: which kind it is, and where its
   * manifest is, is only known once it has all been read (docker and podman do the same).
   */
  private List<ResolvedImage> fromStdin() throws java.io.IOException {
    if (Terminals.stdinIsTerminal()) {
      throw new UserException("give -i FILE, a LOCATION, or an archive on stdin (not a terminal)",
          ExitCodes.USAGE);
    }
    Store s = store.open();
    try (Store.Scratch copy = s.scratch()) {
      OutputStream out = copy.output(); // not closed: that would close the locked descriptor
      if (System.in.transferTo(out) == 0) {
        throw new UserException("nothing to load: stdin is empty");
      }
      return ImageTransports.load(s, archive(copy.path()), names);
    }
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
