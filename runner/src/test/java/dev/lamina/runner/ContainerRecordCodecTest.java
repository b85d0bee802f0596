package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The codec writes the bytes Jackson's data binding writes, and reads what it reads. */
class ContainerRecordCodecTest {
  private static final String ID = "0123456789abcdef".repeat(4);

  static Stream<ContainerRecord> records() {
    ContainerRecord created =
        new ContainerRecord(
            ID, "brave_turing", "docker.io/library/busybox:latest", "sha256:" + "ab".repeat(32),
            List.of("sh", "-c", "echo \"hi\" > /tmp/x\n\t\\"), "2026-01-02T03:04:05.678Z",
            ContainerState.CREATED, null, null, null, null, "runc", true, null, null, "SIGQUIT",
            List.of("/store/layers/b", "/store/layers/a"), List.of(), List.of(), false, null,
            null, false, false, null, null, null, null, null, null, 0, false, null, null, null);
    return Stream.of(
        // Every nullable field null, lists absent (the record makes them empty).
        new ContainerRecord(
            null, null, null, null, null, null, null, null, null, null, null, null, false, null,
            null, null, null, null, null, false, null, null, false, false, null, null, null, null,
            null, null, 0, false, null, null, null),
        created,
        created.withCommand(List.of("é", "日本", "\u0000\u001f\u2028", ""), List.of("v1"),
            List.of("v1"), "host-ä"),
        created.running("2026-01-02T03:04:06Z", Long.MAX_VALUE, "2026-01-02T03:04:05.1Z"),
        created.exited(Integer.MIN_VALUE, "2026-01-02T03:04:07Z", "exec: \"nope\": not found",
            true),
        created.exited(0, "2026-01-02T03:04:07Z", null, false),
        new ContainerRecord(
            ID, "n", "i", "d", List.of("true"), "c", ContainerState.EXITED, 137, "s", "f", "",
            "crun", false, 1L, "m", "", List.of(), List.of("a", "b"), List.of("b"), true, "h",
            Long.MAX_VALUE, true, true, Long.MAX_VALUE, null, null, null, null, null, 0, false,
            null, null, null),
        // What run's flags and its supervision add.
        created.toBuilder()
            .labels(java.util.Map.of("b", "2", "a", ""))
            .stopTimeout(-1)
            .restartPolicy("on-failure:3")
            .restartCount(2)
            .stoppedByUser(true)
            .healthcheck(
                new dev.lamina.runner.health.HealthConfig(
                    List.of("CMD-SHELL", "test -f /ok"), 1_500_000_000L, 30_000_000_000L, 0L, 3))
            .health(
                new dev.lamina.runner.health.HealthState(
                    "unhealthy", 4,
                    List.of(new dev.lamina.runner.health.HealthState.Check(
                        "2026-01-02T03:04:06Z", "2026-01-02T03:04:07Z", -1, "timed out\n"))))
            .build(),
        created.withLogDropped(3000),
        created.toBuilder().exposedPorts(List.of("53/udp", "80/tcp")).build(),
        created.toBuilder()
            .network(
                ContainerNetwork.parse("front", "n")
                    .withRequest(
                        dev.lamina.runner.network.NetworkRequest.defaults("n")
                            .withNetworks(List.of("front"))
                            .withAliases(List.of("web"))
                            .withStaticIp("10.1.2.3")
                            .withPorts(List.of(
                                new dev.lamina.runner.network.PortMapping("127.0.0.1", 8080, 80, "tcp", 1))))
                    .withDns(List.of("1.1.1.1"), List.of("example"), List.of("ndots:2"))
                    .withExtraHosts(List.of("10.0.0.1\tdb")))
            .networkStatus(
                new dev.lamina.runner.network.NetworkStatus(
                    List.of(
                        new dev.lamina.runner.network.NetworkAttachment(
                            "front", "abc", "eth0", "10.1.2.3", 24, null, "aa:bb", List.of("10.1.2.1"),
                            List.of("dns.podman"), List.of("n", "web"))),
                    List.of(new dev.lamina.runner.network.PortMapping("", 8080, 80, "udp", 2))))
            .build(),
        created.toBuilder().network(ContainerNetwork.parse("container:abc", "n")).build());
  }

  @ParameterizedTest
  @MethodSource("records")
  void write_sameBytesAsDataBinding(ContainerRecord r) throws IOException {
    byte[] expected = Json.mapper().writeValueAsBytes(r);
    assertArrayEquals(
        expected,
        JsonWriter.toBytes(r, ContainerRecordCodec.INSTANCE),
        () -> new String(expected, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @MethodSource("records")
  void read_roundTrips(ContainerRecord r) throws IOException {
    byte[] bytes = Json.mapper().writeValueAsBytes(r);
    assertEquals(r, JsonObject.read(bytes, ContainerRecordCodec.INSTANCE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"id\":null,\"command\":null,\"state\":null,\"autoRemove\":null,\"oomKilled\":null}",
        "{\"id\":\"x\",\"future\":{\"nested\":[1,{\"a\":null}]},\"Name\":\"other case\"}",
        "{\"state\":\"RUNNING\",\"exitCode\":\"12\",\"monitorPid\":\"42\",\"autoRemove\":\"true\"}",
        "{\"state\":2}",
        "{\"state\":\"0\"}",
        "{\"id\":5,\"name\":true,\"memoryLimit\":9223372036854775807,\"exitCode\":-2147483648}",
        "{\"command\":[1,true,\"x\"],\"lowerDirs\":[],\"id\":\"a\",\"id\":\"last wins\"}",
      })
  void read_sameAsDataBinding(String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertEquals(
        Json.read(bytes, ContainerRecord.class),
        JsonObject.read(bytes, ContainerRecordCodec.INSTANCE));
  }

  /** Columns: the JSON, and how the error begins (the field's path, then why when it is ours). */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"id\":{}}                      | 'id: '",
        "{\"command\":\"sh\"}             | 'command: '",
        "{\"command\":[[]]}               | 'command[0]: '",
        "{\"command\":[null]}             | command: null in a list of strings",
        "{\"exitCode\":\"one\"}           | 'exitCode: '",
        "{\"exitCode\":4294967296}        | 'exitCode: '",
        "{\"monitorPid\":true}            | 'monitorPid: '",
        "{\"autoRemove\":\"yes\"}         | 'autoRemove: '",
        "{\"state\":\"exited\"}           | state: not one of [CREATED, RUNNING, EXITED]",
        "{\"state\":\"\"}                 | state: not one of [CREATED, RUNNING, EXITED]",
        "{\"state\":3}                    | state: not one of [CREATED, RUNNING, EXITED]",
        "{\"state\":true}                 | state: not one of [CREATED, RUNNING, EXITED]",
        "{\"volumes\":{\"a\":\"b\"}}      | 'volumes: '",
      })
  void read_wrongType_refusedLikeDataBinding(String json, String message) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThrows(IOException.class, () -> Json.read(bytes, ContainerRecord.class));
    JsonFormatException e =
        assertThrows(
            JsonFormatException.class, () -> JsonObject.read(bytes, ContainerRecordCodec.INSTANCE));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{\"id\":", "{} {}", "\"text\""})
  void read_notOneObject_refused(String json) {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                JsonObject.read(
                    json.getBytes(StandardCharsets.UTF_8), ContainerRecordCodec.INSTANCE));
    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
  }

  @ParameterizedTest
  @MethodSource("records")
  void toBuilder_keepsEveryField(ContainerRecord r) {
    assertEquals(r, r.toBuilder().build());
  }

  @Test
  void running_thenExited_changeOnlyTheirFields() {
    ContainerRecord created = records().skip(1).findFirst().orElseThrow();
    ContainerRecord ran =
        created.withLogDropped(5).running("s", 42, "m").exited(3, "f", "why", true);
    assertEquals(
        created.toBuilder()
            .state(ContainerState.EXITED)
            .exitCode(3)
            .startedAt("s")
            .finishedAt("f")
            .error("why")
            .oomKilled(true)
            .logDropped(5L)
            .build(),
        ran);
  }
}
