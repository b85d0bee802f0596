package dev.lamina.runner;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import java.io.IOException;
import java.util.List;

/**
 * {@code container.json}: a {@link ContainerRecord} as Jackson's data binding writes it (fields in
 * declaration order, nulls left out, the state by its constant's name) and reads it (unknown
 * fields ignored, a state also by its ordinal).
 */
final class ContainerRecordCodec implements JsonCodec<ContainerRecord> {
  static final ContainerRecordCodec INSTANCE = new ContainerRecordCodec();

  private static final ContainerState[] STATES = ContainerState.values();

  private ContainerRecordCodec() {}

  @Override
  public void write(JsonWriter out, ContainerRecord r) throws IOException {
    out.startObject()
        .string("id", r.id())
        .string("name", r.name())
        .string("image", r.image())
        .string("imageId", r.imageId())
        .strings("command", r.command())
        .string("created", r.created())
        .string("state", r.state() == null ? null : r.state().name())
        .number("exitCode", r.exitCode())
        .string("startedAt", r.startedAt())
        .string("finishedAt", r.finishedAt())
        .string("error", r.error())
        .string("runtime", r.runtime())
        .bool("autoRemove", r.autoRemove())
        .number("monitorPid", r.monitorPid())
        .string("monitorStarted", r.monitorStarted())
        .string("stopSignal", r.stopSignal())
        .strings("lowerDirs", r.lowerDirs())
        .strings("volumes", r.volumes())
        .strings("anonymousVolumes", r.anonymousVolumes())
        .bool("oomKilled", r.oomKilled())
        .string("hostname", r.hostname())
        .number("memoryLimit", r.memoryLimit())
        .bool("openStdin", r.openStdin())
        .bool("paused", r.paused())
        .number("logDropped", r.logDropped())
        .value("network", r.network(), ContainerNetworkCodec.NETWORK)
        .value("networkStatus", r.networkStatus(), ContainerNetworkCodec.STATUS);
    if (!r.labels().isEmpty()) {
      out.stringMap("labels", r.labels());
    }
    out.number("stopTimeout", r.stopTimeout())
        .string("restartPolicy", r.restartPolicy());
    if (r.restartCount() != 0) {
      out.number("restartCount", r.restartCount());
    }
    if (r.stoppedByUser()) {
      out.bool("stoppedByUser", true);
    }
    out.value("healthcheck", r.healthcheck(), HealthCodecs.CONFIG)
        .value("health", r.health(), HealthCodecs.STATE);
    if (!r.exposedPorts().isEmpty()) {
      out.strings("exposedPorts", r.exposedPorts());
    }
    out.endObject();
  }

  @Override
  public ContainerRecord read(JsonObject in) throws JsonFormatException {
    return ContainerRecord.builder()
        .id(in.string("id"))
        .name(in.string("name"))
        .image(in.string("image"))
        .imageId(in.string("imageId"))
        .command(strings(in, "command"))
        .created(in.string("created"))
        .state(state(in))
        .exitCode(in.intOrNull("exitCode"))
        .startedAt(in.string("startedAt"))
        .finishedAt(in.string("finishedAt"))
        .error(in.string("error"))
        .runtime(in.string("runtime"))
        .autoRemove(in.bool("autoRemove"))
        .monitorPid(in.longOrNull("monitorPid"))
        .monitorStarted(in.string("monitorStarted"))
        .stopSignal(in.string("stopSignal"))
        .lowerDirs(strings(in, "lowerDirs"))
        .volumes(strings(in, "volumes"))
        .anonymousVolumes(strings(in, "anonymousVolumes"))
        .oomKilled(in.bool("oomKilled"))
        .hostname(in.string("hostname"))
        .memoryLimit(in.longOrNull("memoryLimit"))
        .openStdin(in.bool("openStdin"))
        .paused(in.bool("paused"))
        .logDropped(in.longOrNull("logDropped"))
        .network(in.has("network") ? in.read("network", ContainerNetworkCodec.NETWORK) : null)
        .networkStatus(
            in.has("networkStatus") ? in.read("networkStatus", ContainerNetworkCodec.STATUS) : null)
        .labels(in.stringMap("labels"))
        .stopTimeout(in.intOrNull("stopTimeout"))
        .restartPolicy(in.string("restartPolicy"))
        .restartCount(in.intValue("restartCount", 0))
        .stoppedByUser(in.bool("stoppedByUser"))
        .healthcheck(in.has("healthcheck") ? in.read("healthcheck", HealthCodecs.CONFIG) : null)
        .health(in.has("health") ? in.read("health", HealthCodecs.STATE) : null)
        .exposedPorts(strings(in, "exposedPorts"))
        .build();
  }

  /** The record keeps immutable copies of its lists, which hold no null. */
  private static List<String> strings(JsonObject in, String name) throws JsonFormatException {
    List<String> l = in.strings(name);
    if (l != null && l.contains(null)) {
      throw in.invalid(name, "null in a list of strings");
    }
    return l;
  }

  /**
   * The constant's name, or (as Jackson also reads an enum) its ordinal, as a number or as digits.
   */
  private static ContainerState state(JsonObject in) throws JsonFormatException {
    String s = in.string("state");
    if (s == null) {
      return null;
    }
    for (ContainerState c : STATES) {
      if (c.name().equals(s)) {
        return c;
      }
    }
    if (s.matches("[0-9]{1,9}") && Integer.parseInt(s) < STATES.length) {
      return STATES[Integer.parseInt(s)];
    }
    throw in.invalid("state", "not one of " + List.of(STATES));
  }
}
