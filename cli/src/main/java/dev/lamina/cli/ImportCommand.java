package dev.lamina.cli;

import dev.lamina.layerfs.image.RootfsImport;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.store.Images.ResolvedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina import SOURCE [NAME]}: a root filesystem directory or tarball ({@code -} for
 * stdin) becomes a one-layer image, like {@code docker import}.
 */
@Command(
    name = "import",
    description = "Create a one-layer image from a root filesystem directory or tarball.")
final class ImportCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = {"-c", "--change"},
      paramLabel = "INSTRUCTION",
      description =
          "Apply a recipe instruction to the config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER,"
              + " VOLUME, WORKDIR, STOPSIGNAL, ONBUILD, SHELL (repeatable).")
  List<String> changes = List.of();

  @Option(
      names = {"-m", "--message"},
      paramLabel = "TEXT",
      description = "History comment for the layer.")
  String message;

  @Parameters(
      index = "0",
      paramLabel = "SOURCE",
      description = "A directory, a tar/tar.gz/tar.zst file, or - for a tar on stdin.")
  String source;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Image name.")
  String name;

  @Override
  public Integer call() throws Exception {
    RootfsImport imp =
        RootfsImport.into(store.open(), System.getenv("SOURCE_DATE_EPOCH"))
            .withConfig(ConfigChanges.apply(changes))
            .withComment(message);
    List<String> names = name == null ? List.of() : List.of(name);
    ResolvedImage image;
    if (source.equals("-")) {
      image = imp.fromTar(System.in, names);
    } else {
      Path p = FileNames.path(source);
      if (Files.isDirectory(p)) {
        image = imp.fromDirectory(p, names);
      } else if (Files.isRegularFile(p)) {
        try (InputStream in = Files.newInputStream(p)) {
          image = imp.fromTar(in, names);
        }
      } else if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new UserException("no such file or directory: " + source);
      } else {
        throw new UserException(source + " is neither a directory nor a tar file");
      }
    }
    Output.out().println(image.id());
    return ExitCodes.OK;
  }
}
