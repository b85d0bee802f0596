package dev.lamina.runner;

import java.util.List;

/**
 * A process to run in a running container ({@code exec}). Null means "as the container": its
 * user, working directory; {@code env} entries are added to the container's environment.
 *
 * @param args the command and its arguments
 * @param env {@code KEY=VALUE} entries over the container's environment
 * @param user {@code -u}, resolved in the container's own account files
 * @param workdir {@code -w}, absolute
 * @param terminal {@code -t}: a pseudo-terminal proxied to this process's own terminal
 */
public record ExecRequest(
    List<String> args, List<String> env, String user, String workdir, boolean terminal) {
  public ExecRequest {
    args = List.copyOf(args);
    env = env == null ? List.of() : List.copyOf(env);
    if (args.isEmpty()) {
      throw new IllegalArgumentException("exec needs a command");
    }
  }
}
