package dev.lamina.runner.runtime;

import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;

/**
 * A container's use of its cgroup at one moment, as the runtime's {@code events --stats} reports
 * it.
 *
 * @param cpuNanos CPU time used so far, all CPUs together
 * @param memoryBytes memory in use
 * @param memoryLimit its memory limit, or 0 when it has none
 * @param pids processes (and threads) in it
 */
public record ResourceUsage(long cpuNanos, long memoryBytes, long memoryLimit, long pids) {
  /** Limits at or above this are the kernel's "no limit" (a page-rounded LONG_MAX). */
  private static final long UNLIMITED = Long.MAX_VALUE / 2;

  /** From the {@code data} of a runc stats event. */
  static ResourceUsage of(JsonObject data) throws JsonFormatException {
    JsonObject cpu = data.isObject("cpu") ? data.object("cpu") : null;
    JsonObject cpuUsage = cpu != null && cpu.isObject("usage") ? cpu.object("usage") : null;
    JsonObject memory = data.isObject("memory") ? data.object("memory") : null;
    JsonObject memUsage =
        memory != null && memory.isObject("usage") ? memory.object("usage") : null;
    JsonObject pids = data.isObject("pids") ? data.object("pids") : null;
    long limit = memUsage == null ? 0 : memUsage.longValue("limit", 0);
    return new ResourceUsage(
        cpuUsage == null ? 0 : cpuUsage.longValue("total", 0),
        memUsage == null ? 0 : memUsage.longValue("usage", 0),
        limit >= UNLIMITED ? 0 : limit,
        pids == null ? 0 : pids.longValue("current", 0));
  }
}
