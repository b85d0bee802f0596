package dev.lamina.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lamina tag SOURCE TARGET...}: gives an image more names. */
@Command(name = "tag", description = "Give an image one or more new names.")
final class TagCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "Image name or id.")
  String source;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET", description = "New names.")
  List<String> targets;

  @Override
  public Integer call() throws Exception {
    var images = store.open().images();
    for (String target : targets) {
      images.tag(source, target);
    }
    return ExitCodes.OK;
  }
}
