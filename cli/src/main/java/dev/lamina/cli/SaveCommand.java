package dev.lamina.cli;

import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina save [-o FILE] [--format docker-archive|oci-archive] IMAGE...}: to stdout without
 * {@code -o} (or with {@code -o -}), unless stdout is a terminal, as {@code docker save}.
 */
@Command(name = "save", description = "Save images to a docker-archive or oci-archive file.")
final class SaveCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "The archive to write (default: stdout, when it is not a terminal; - is"
          + " stdout).")
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
    if (output == null || output.toString().equals("-")) {
      if (Terminals.stdoutIsTerminal()) {
        throw new UserException("refusing to write an archive to a terminal; use -o FILE or a"
            + " pipe");
      }
      ImageLocation.Transport kind = format.equals("oci-archive")
          ? ImageLocation.Transport.OCI_ARCHIVE : ImageLocation.Transport.DOCKER_ARCHIVE;
      OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
      ImageTransports.saveArchive(store.open(), images, kind, out);
      out.flush();
      return ExitCodes.OK;
    }
    ImageLocation to = ImageLocation.parse(format + ":" + output.toAbsolutePath());
    ImageTransports.save(store.open(), images, to);
    return ExitCodes.OK;
  }
}
