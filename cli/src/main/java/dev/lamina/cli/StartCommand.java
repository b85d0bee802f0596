package dev.lamina.cli;

import dev.lamina.runner.ContainerSession;
import dev.lamina.runner.spec.RuntimeSpec;
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
    boolean terminal = containers.hasTerminal(ref);
    int[] size = Terminals.size().orElse(new int[] {0, 0});
    // Attached before it starts, so nothing it writes is missed.
    ContainerSession session =
        containers.startAttached(ref, new RuntimeSpec.ConsoleSize(size[0], size[1]));
    try {
      ContainerRecord r = containers.inspect(session.id());
      Supervision.started(store.root(), r);
      if (terminal) {
        if (AttachCommand.proxy(session.client(), keys, interactive && r.openStdin())) {
          // Detached: its monitor's exit command finishes it, and applies its restart policy.
          return ExitCodes.DETACHED;
        }
      } else {
        ForegroundRun.copy(session, interactive);
      }
    } finally {
      session.close();
    }
    int code = session.await();
    Supervision.exited(store.root(), session.id());
    return code;
  }
}
