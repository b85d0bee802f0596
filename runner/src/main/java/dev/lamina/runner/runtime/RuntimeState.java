package dev.lamina.runner.runtime;

/**
 * What the runtime's {@code state} command reports (runtime-spec {@code runtime.md}).
 *
 * @param status {@code creating}, {@code created}, {@code running} or {@code stopped}
 * @param pid the container process on the host, 0 when stopped
 */
public record RuntimeState(String id, String status, long pid, String bundle) {
  public boolean isRunning() {
    return "running".equals(status) || "created".equals(status) || "creating".equals(status);
  }
}
