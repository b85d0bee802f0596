package dev.lamina.cli;

import dev.lamina.layerfs.store.OutputFiles;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.runner.Containers;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina export [-o FILE] CONTAINER}: its root filesystem as one tar (stdout by default),
 * as {@code docker export}: files with their own times, owners and modes, without volumes or the
 * runtime's mounts. A running container is paused meanwhile, so the tar is of one moment. The tar
 * goes back in with {@code lamina import}.
 */
@Command(name = "export", description = "Write a container's filesystem as a tar archive.")
final class ExportCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
  Path output;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Override
  public Integer call() throws Exception {
    if (output == null && Terminals.stdoutIsTerminal()) {
      throw new UserException("refusing to write a tar to a terminal; use -o FILE or a pipe");
    }
    Containers containers = ContainerSupport.open(store.root());
    if (output == null) {
      writeTar(containers, System.out);
    } else {
      OutputFiles.write(output, out -> writeTar(containers, out));
    }
    return ExitCodes.OK;
  }

  private void writeTar(Containers containers, OutputStream out) throws IOException {
    OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    containers.withRootfs(container, root ->
        LayerWriter.preservingMtimes()
            .writeSorted(DirectoryScanner.walk(root, p -> true), buffered));
    buffered.flush();
  }
}
