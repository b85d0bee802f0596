package dev.lamina.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lamina top CONTAINER [ps OPTIONS]}: its processes, as the host's {@code ps} shows them. */
@Command(
    name = "top",
    description = "Show a running container's processes (ps -ef, or the ps options given).",
    modelTransformer = RunCommand.StopAtImage.class)
final class TopCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Parameters(index = "1..*", paramLabel = "PS_OPTIONS", description = "Options for ps (default -ef).")
  List<String> psOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Output.out().print(ContainerSupport.open(store.root()).processes(container, psOptions));
    Output.out().flush();
    return ExitCodes.OK;
  }
}
