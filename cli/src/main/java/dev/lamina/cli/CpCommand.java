package dev.lamina.cli;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.runner.ContainerCopy;
import dev.lamina.runner.Containers;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina cp CONTAINER:SRC DEST} and {@code lamina cp SRC CONTAINER:DEST}, as {@code docker
 * cp} (see {@link ContainerCopy} for the rules and the safety).
 */
@Command(name = "cp", description = "Copy files between a container and the host.")
final class CpCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-a", "--archive"}, description = "Keep the host's owners (else root's) when copying into a container.")
  boolean archive;

  @Option(names = {"-L", "--follow-link"}, description = "Follow a symlink given as the container's source.")
  boolean followLink;

  @Parameters(index = "0", paramLabel = "SRC", description = "CONTAINER:PATH or a host path.")
  String src;

  @Parameters(index = "1", paramLabel = "DEST", description = "CONTAINER:PATH or a host path.")
  String dest;

  @Override
  public Integer call() throws Exception {
    String[] from = split(src);
    String[] to = split(dest);
    if ((from == null) == (to == null)) {
      throw new UserException(
          "cp copies between a container and the host: one of SRC and DEST must be CONTAINER:PATH");
    }
    Containers containers = ContainerSupport.open(store.root());
    if (from != null) {
      ContainerCopy.out(containers, from[0], from[1], FileNames.path(dest), followLink);
    } else {
      ContainerCopy.in(containers, to[0], FileNames.path(src), to[1], archive);
    }
    return ExitCodes.OK;
  }

  /**
   * {@code CONTAINER:PATH} as its two parts, or null for a host path: one that starts with / or
   * . , or has no colon (docker's rule, so that {@code ./a:b} stays a file).
   */
  static String[] split(String arg) {
    int colon = arg.indexOf(':');
    if (colon <= 0 || arg.startsWith("/") || arg.startsWith(".")) {
      return null;
    }
    String path = arg.substring(colon + 1);
    return new String[] {arg.substring(0, colon), path.startsWith("/") ? path : "/" + path};
  }
}
