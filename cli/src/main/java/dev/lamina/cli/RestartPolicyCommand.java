package dev.lamina.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina restart-policy [--root ROOT] ID} (hidden): applies the restart policy of a
 * container that has exited, starting it again (after docker's back-off) when the policy says
 * so. Run by whatever saw the container exit: a foreground {@code run}, or a monitor's exit hook.
 */
@Command(name = RestartPolicyCommand.NAME, hidden = true,
    description = "Apply the restart policy of a container that has exited.")
final class RestartPolicyCommand implements Callable<Integer> {
  static final String NAME = "restart-policy";

  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "ID")
  String id;

  @Override
  public Integer call() throws Exception {
    Supervision.applyRestartPolicy(store.root(), id);
    return ExitCodes.OK;
  }
}
