package dev.lamina.cli;

import dev.lamina.runner.ContainerLogs;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.Containers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina start [-a] CONTAINER...}: starts created or exited containers, detached, as
 * {@code docker start}. With {@code -a} (one container) this command stays with it: a container
 * with a terminal is attached ({@code -ai} for one made with {@code -i}), any other has its new
 * output followed; either way its exit code is this command's.
 */
@Command(name = "start", description = "Start created or stopped containers.")
final class StartCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-a", "--attach"}, description = "Stay attached to its output (one container); exit with its code.")
  boolean attach;

  @Option(names = {"-i", "--interactive"}, description = "With -a: also pass this terminal's keys.")
  boolean interactive;

  @Option(names = "--detach-keys", paramLabel = "KEYS", defaultValue = DetachKeys.DEFAULT,
      description = "With -a on a terminal: keys that detach (default: ${DEFAULT-VALUE}).")
  String detachKeys;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() throws Exception {
    Containers containers = ContainerSupport.open(store.root());
    if (!attach) {
      return Each.apply(refs, ref -> Supervision.started(store.root(), containers.start(ref)));
    }
    if (refs.size() != 1) {
      throw new UserException("start -a takes one container");
    }
    String ref = refs.get(0);
    DetachKeys keys = DetachKeys.parse(detachKeys);
    if (interactive) {
      Terminals.requireTerminal();
    }
    if (containers.hasTerminal(ref)) {
      Supervision.started(store.root(), containers.start(ref));
      return AttachCommand.attach(containers, ref, keys, interactive, true, false);
    }
    Path log = containers.logFile(ref);
    long before = Files.exists(log) ? Files.size(log) : 0;
    ContainerRecord started = containers.start(ref);
    Supervision.started(store.root(), started);
    ContainerLogs.copy(containers, started.id(), System.out, true, before);
    System.out.flush();
    ContainerRecord done = containers.await(started.id(), Duration.ofSeconds(10));
    return done.exitCode() == null ? ExitCodes.OK : done.exitCode();
  }
}
