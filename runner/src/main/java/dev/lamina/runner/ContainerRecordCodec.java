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
        .endObject();
  }

  @Override
  public ContainerRecord read(JsonObject in) throws JsonFormatException {
    return new ContainerRecord(
        in.string("id"),
        in.string("name"),
        in.string("image"),
        in.string("imageId"),
        strings(in, "command"),
        in.string("created"),
        state(in),
        in.intOrNull("exitCode"),
        in.string("startedAt"),
        in.string("finishedAt"),
        in.string("error"),
        in.string("runtime"),
        in.bool("autoRemove"),
        in.longOrNull("monitorPid"),
        in.string("monitorStarted"),
        in.string("stopSignal"),
        strings(in, "lowerDirs"),
        strings(in, "volumes"),
        strings(in, "anonymousVolumes"),
        in.bool("oomKilled"),
        in.string("hostname"),
        in.longOrNull("memoryLimit"),
        in.bool("openStdin"),
        in.bool("paused"),
        in.longOrNull("logDropped"));
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
