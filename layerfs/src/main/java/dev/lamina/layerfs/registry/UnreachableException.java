package dev.lamina.layerfs.registry;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/**
 * A host that could not be connected to, said in words: {@code cannot reach registry-1.docker.io:
 * name does not resolve}, {@code connection refused}, {@code no route to host}, {@code timed out
 * after 30 s}.
 */
public final class UnreachableException extends ConnectException {
  private final String host;

  private UnreachableException(String host, String reason) {
    super("cannot reach " + host + ": " + reason);
    this.host = host;
  }

  /** The host (and port, when not the scheme's) that was not reached. */
  public String host() {
    return host;
  }

  /** {@code cause}, from connecting to {@code host}, as one of these. */
  static UnreachableException of(String host, Exception cause, Duration timeout) {
    String reason;
    if (cause instanceof UnknownHostException) {
      reason = "name does not resolve";
    } else if (cause instanceof SocketTimeoutException) {
      reason = "timed out after " + Http1Client.describe(timeout);
    } else if (cause instanceof NoRouteToHostException) {
      reason = "no route to host";
    } else {
      String m = cause.getMessage();
      reason = m == null || m.isBlank() ? cause.getClass().getSimpleName()
          : m.toLowerCase(Locale.ROOT).replaceAll(" \\(.*\\)$", "");
    }
    UnreachableException e = new UnreachableException(host, reason);
    // Kept for --debug, not as the cause: the message already says it, in words.
    e.addSuppressed(cause);
    return e;
  }
}
