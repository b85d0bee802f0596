package dev.lamina.cli;

import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerException;
import dev.lamina.runner.Containers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * What {@code inspect} and {@code image inspect} share: a JSON array describing each container or
 * image, like docker inspect (a name is looked up among containers first, then images, unless
 * {@link #type} says which), or with {@code -f} a line per one from a Go template (see {@link
 * InspectFormat}).
 */
abstract class Inspection implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Mixin InspectFormat format;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Container or image names or ids.")
  List<String> names;

  /** {@code container} or {@code image} to look for only one kind, null for both. */
  abstract String type();

  @Override
  public Integer call() throws Exception {
    String type = type();
    if (type != null && !type.equals("container") && !type.equals("image")) {
      throw new UserException(
          "unknown --type " + type + " (want container or image)", ExitCodes.USAGE);
    }
    boolean containers = !"image".equals(type);
    boolean images = !"container".equals(type);
    format.check();
    Containers c = ContainerSupport.open(store.root());
    ContainerView view = new ContainerView(c, store);
    Store s = null;
    List<Object> out = new ArrayList<>();
    int failed = 0;
    for (String name : names) {
      try {
        if (containers) {
          try {
            out.add(view.inspect(c.inspect(name)));
            continue;
          } catch (ContainerException notAContainer) {
            if (!images) {
              throw notAContainer;
            }
          }
        }
        if (s == null) {
          s = store.open();
        }
        out.add(InspectCommand.image(s.images().inspect(name)));
      } catch (java.io.IOException e) {
        System.err.println("lamina: " + ErrorHandler.oneLine(e));
        failed++;
      }
    }
    format.print(out);
    return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }
}
