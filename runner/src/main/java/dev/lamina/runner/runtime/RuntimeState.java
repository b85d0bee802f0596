package dev.lamina.runner.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the runtime's {@code state} command reports (runtime-spec {@code runtime.md}).
 *
 * @param status {@code creating}, {@code created}, {@code running} or {@code stopped}
 * @param pid the container process on the host, 0 when stopped
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuntimeState(
    @JsonProperty("id") String id,
    @JsonProperty("status") String status,
    @JsonProperty("pid") long pid,
    @JsonProperty("bundle") String bundle) {

  public boolean isRunning() {
    return "running".equals(status) || "created".equals(status) || "creating".equals(status);
  }
}
