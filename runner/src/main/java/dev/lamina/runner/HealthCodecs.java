package dev.lamina.runner;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.runner.health.HealthConfig;
import dev.lamina.runner.health.HealthState;
import java.io.IOException;

/** A record's health check and health, in {@code container.json} (durations in nanoseconds). */
final class HealthCodecs {
  private HealthCodecs() {}

  static final JsonCodec<HealthConfig> CONFIG =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, HealthConfig c) throws IOException {
          out.startObject()
              .strings("test", c.test())
              .number("interval", c.intervalNanos())
              .number("timeout", c.timeoutNanos())
              .number("startPeriod", c.startPeriodNanos())
              .number("retries", c.retries())
              .endObject();
        }

        @Override
        public HealthConfig read(JsonObject in) throws JsonFormatException {
          try {
            return new HealthConfig(
                in.strings("test"),
                in.longValue("interval", 0),
                in.longValue("timeout", 0),
                in.longValue("startPeriod", 0),
                in.intValue("retries", 0));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw in.invalid("healthcheck", String.valueOf(e.getMessage()));
          }
        }
      };

  private static final JsonCodec<HealthState.Check> CHECK =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, HealthState.Check c) throws IOException {
          out.startObject()
              .string("start", c.start())
              .string("end", c.end())
              .number("exitCode", c.exitCode())
              .string("output", c.output())
              .endObject();
        }

        @Override
        public HealthState.Check read(JsonObject in) throws JsonFormatException {
          return new HealthState.Check(
              in.string("start"), in.string("end"), in.intValue("exitCode", -1),
              in.string("output"));
        }
      };

  static final JsonCodec<HealthState> STATE =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, HealthState s) throws IOException {
          out.startObject()
              .string("status", s.status())
              .number("failingStreak", s.failingStreak())
              .list("log", s.log(), CHECK)
              .endObject();
        }

        @Override
        public HealthState read(JsonObject in) throws JsonFormatException {
          return new HealthState(
              in.string("status"), in.intValue("failingStreak", 0), in.list("log", CHECK));
        }
      };
}
