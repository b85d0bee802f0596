package dev.lamina.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lamina image ls|rm|inspect|...|prune}: docker's image commands, as one group. */
@Command(
    name = "image",
    description = "Manage images.",
    subcommands = {
      BuildCommand.class,
      HistoryCommand.class,
      ImportCommand.class,
      InspectCommand.OfImages.class,
      LoadCommand.class,
      ImagesCommand.Ls.class,
      ImageCommand.Prune.class,
      PullCommand.class,
      PushCommand.class,
      RmiCommand.Rm.class,
      SaveCommand.class,
      TagCommand.class,
    })
final class ImageCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw CommandGroups.subcommandRequired(spec);
  }

  /** Removes dangling images, or every image no container uses with -a. */
  @Command(
      name = "prune",
      description = "Remove dangling images (every image no container uses with -a).")
  static final class Prune implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(
        names = {"-a", "--all"},
        description = "Remove every image no container uses, not only dangling ones.")
    boolean all;

    @Mixin PruneOptions options;

    @Override
    public Integer call() throws Exception {
      ImagePrune.Result pruned = ImagePrune.run(store.open(), all, options.filter());
      PruneOutput.section("Deleted Images:", pruned.lines());
      PruneOutput.total(pruned.bytesFreed());
      return ExitCodes.OK;
    }
  }
}
