package dev.lamina.cli;

import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.image.ContainerCommit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina commit CONTAINER [IMAGE]}: a container's changes become a new image layer. */
@Command(name = "commit", description = "Create a new image from a container's changes.")
final class CommitCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = {"-m", "--message"},
      paramLabel = "TEXT",
      description = "History comment for the new layer.")
  String message;

  @Option(
      names = {"-a", "--author"},
      paramLabel = "NAME",
      description = "Author of the new image.")
  String author;

  @Option(
      names = {"-c", "--change"},
      paramLabel = "INSTRUCTION",
      description = "Apply a config instruction (CMD, ENV, ...) to the new image (repeatable).")
  List<String> changes = List.of();

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE", description = "New image name.")
  String image;

  @Override
  public Integer call() throws Exception {
    Store s = store.open();
    ConfigChanges.apply(ContainerConfig.EMPTY, changes); // refuses a bad --change before any work
    UnaryOperator<ContainerConfig> apply =
        base -> {
          try {
            return changes.isEmpty() ? base : ConfigChanges.apply(base, changes);
          } catch (Exception e) {
            throw new UserException(ErrorHandler.oneLine(e));
          }
        };
    ResolvedImage r =
        new ContainerCommit(s, ContainerSupport.open(s.root()))
            .commit(
                container,
                image == null ? List.of() : List.of(image),
                new ContainerCommit.Options(
                    message, author, apply, System.getenv("SOURCE_DATE_EPOCH")));
    Output.out().println(r.id());
    return ExitCodes.OK;
  }
}
