package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The codec writes the bytes Jackson's data binding writes, and reads what it reads. */
class RuntimeSpecCodecTest {
  @TempDir Path rootfs;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(
        rootfs.resolve("etc/passwd"),
        "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:\nnohome:x:1001:1001:::\n");
    Files.writeString(
        rootfs.resolve("etc/group"), "root:x:0:\napp:x:1000:\nwheel:x:10:app\naudio:x:29:app\n");
  }

  private static void assertSameBytes(RuntimeSpec spec) throws IOException {
    byte[] expected = Json.mapper().writeValueAsBytes(spec);
    byte[] actual = JsonWriter.toBytes(spec, RuntimeSpecCodec.INSTANCE);
    assertArrayEquals(expected, actual, () -> new String(expected, StandardCharsets.UTF_8));
    assertEquals(spec, JsonObject.read(actual, RuntimeSpecCodec.INSTANCE));
  }

  /** What containers get: the builder's specs for a range of options. */
  @Test
  void write_builtSpecs_sameBytesAsDataBinding() throws IOException {
    ContainerConfig image =
        ContainerConfig.EMPTY.toBuilder()
            .entrypoint(List.of("/entry"))
            .cmd(List.of("a b", "\"quoted\"", "ünï"))
            .env(List.of("A=1", "EMPTY=", "TAB=\t"))
            .workingDir("/srv/../app")
            .user("app")
            .build();
    List<ContainerOptions> options = new ArrayList<>();
    options.add(ContainerOptions.defaults());
    options.add(ContainerOptions.builder().user("root").args(List.of("true")).build());
    options.add(ContainerOptions.builder().user("nohome:1001").terminal(true).build());
    options.add(
        ContainerOptions.builder()
            .user("4242:4343")
            .entrypoint(List.of())
            .args(List.of("/bin/other"))
            .build());
    options.add(
        ContainerOptions.builder()
            .network(Network.NONE)
            .readOnly(true)
            .hostname("h-1")
            .workdir("/w")
            .env("B=2")
            .env("PATH=/bin")
            .tmpfs("/run:size=1m,exec")
            .tmpfs("/tmp")
            .bind(new BindMount(Path.of("/host/data"), "/data", true))
            .bind(new BindMount(Path.of("/host/ümlaut dir"), "/x/../y", false))
            .capAdd("NET_ADMIN")
            .capDrop("CHOWN")
            .build());
    options.add(ContainerOptions.builder().memoryBytes(64L * 1024 * 1024).build());
    options.add(ContainerOptions.builder().pidsLimit(-1L).build());
    options.add(ContainerOptions.builder().cpus(1.5).build());
    options.add(ContainerOptions.builder().capAdd("SYS_ADMIN").capAdd("SYS_TIME").build());
    options.add(ContainerOptions.builder().seccomp(SeccompPolicy.UNCONFINED).build());
    options.add(
        ContainerOptions.builder()
            .memoryBytes(Long.MAX_VALUE)
            .pidsLimit(50L)
            .cpus(0.01)
            .capDrop("ALL")
            .build());
    options.add(
        ContainerOptions.builder()
            .privileged(true)
            .shmSize(128L * 1024 * 1024)
            .annotation("org.example/a", "1")
            .annotation("b", "")
            .ulimit(dev.lamina.runner.spec.Ulimit.parse("nproc=100:200"))
            .init(Path.of("/usr/bin/catatonit"))
            .bind(new BindMount(Path.of("/host/shared"), "/s", false, "rshared"))
            .build());
    ImageConfig config = ImageConfig.empty("2026-01-01T00:00:00Z").withConfig(image);
    for (ContainerOptions o : options) {
      assertSameBytes(RuntimeSpecs.fromImageConfig(config, o, rootfs));
    }
  }

  @Test
  void write_nullsAndEmpties_sameBytesAsDataBinding() throws IOException {
    // Capabilities, Rlimit, Root and IdMapping write their nulls; the other types leave them out.
    assertSameBytes(new RuntimeSpec(null, null, null, null, null, null));
    assertSameBytes(new RuntimeSpec("", null, null, "", List.of(), null));
    assertSameBytes(
        new RuntimeSpec(
            "1.0.2",
            new RuntimeSpec.Process(
                false,
                null,
                new RuntimeSpec.User(0, 0, null),
                null,
                null,
                null,
                new RuntimeSpec.Capabilities(null, null, null, null),
                List.of(new RuntimeSpec.Rlimit(null, 0, 0)),
                false),
            new RuntimeSpec.Root(null, false),
            null,
            List.of(new RuntimeSpec.Mount(null, null, null, null)),
            new RuntimeSpec.Linux(null, null, null, null, null, null, null, null)));
    assertSameBytes(
        new RuntimeSpec(
            "1.0.2",
            new RuntimeSpec.Process(
                true,
                new RuntimeSpec.ConsoleSize(24, 80),
                new RuntimeSpec.User(
                    Integer.MAX_VALUE, Integer.MIN_VALUE, List.of(Integer.MIN_VALUE, 0, 5)),
                List.of(),
                List.of(),
                "",
                new RuntimeSpec.Capabilities(List.of(), List.of("CAP_X"), List.of(), List.of()),
                List.of(),
                true),
            new RuntimeSpec.Root("rootfs", true),
            "\u2028\u0001",
            List.of(),
            new RuntimeSpec.Linux(
                List.of(
                    new RuntimeSpec.Namespace("network", "/proc/1/ns/net"),
                    new RuntimeSpec.Namespace(null, null)),
                List.of(new RuntimeSpec.IdMapping(0, 100000, 65536)),
                List.of(new RuntimeSpec.IdMapping(Long.MIN_VALUE, Long.MAX_VALUE, -1)),
                new RuntimeSpec.Resources(
                    new RuntimeSpec.Memory(null, 5L),
                    new RuntimeSpec.Pids(Long.MIN_VALUE),
                    new RuntimeSpec.Cpu(null, null)),
                "/lamina/x",
                List.of(),
                List.of("/proc/sys"),
                new RuntimeSpec.Seccomp(
                    "SCMP_ACT_ERRNO",
                    null,
                    List.of(),
                    List.of(
                        new RuntimeSpec.SyscallRule(List.of("read"), "SCMP_ACT_ALLOW", 5, null),
                        new RuntimeSpec.SyscallRule(
                            null,
                            null,
                            null,
                            List.of(
                                new RuntimeSpec.SyscallArg(0, -1, Long.MAX_VALUE, null),
                                new RuntimeSpec.SyscallArg(
                                    5, 0x7E020000L, 0, "SCMP_CMP_MASKED_EQ"))))))));
    assertSameBytes(
        new RuntimeSpec(
            null, null, null, null, null,
            new RuntimeSpec.Linux(
                null, null, null, new RuntimeSpec.Resources(null, null, null), null, null,
                null, new RuntimeSpec.Seccomp(null, null, null, null))));
  }

  @Test
  void write_devicesAndAnnotations_sameBytesAsDataBinding() throws IOException {
    assertSameBytes(
        new RuntimeSpec(
            "1.0.2", null, null, null, null,
            new RuntimeSpec.Linux(
                null, null, null,
                new RuntimeSpec.Resources(
                    null, null, null,
                    List.of(
                        new RuntimeSpec.DeviceRule(false, null, null, null, "rwm"),
                        new RuntimeSpec.DeviceRule(true, "c", 1L, 3L, "rw"))),
                null, null, null, null,
                List.of(new RuntimeSpec.Device("/dev/x", "c", 1, 3, 0666, 0, 0),
                    new RuntimeSpec.Device("/dev/y", "b", 8, 0, null, null, null))),
            java.util.Map.of("k", "v", "a", "")));
  }

  /** The runtime reads limits as unsigned: unlimited is RLIM_INFINITY, not -1. */
  @Test
  void write_unlimitedRlimit_isRlimInfinity() throws IOException {
    RuntimeSpec.Rlimit unlimited = new RuntimeSpec.Rlimit("RLIMIT_CORE", -1, -1);
    RuntimeSpec spec =
        new RuntimeSpec(
            "1.0.2",
            new RuntimeSpec.Process(
                false, null, null, null, null, null, null, List.of(unlimited), false),
            null, null, null, null);
    String json = new String(JsonWriter.toBytes(spec, RuntimeSpecCodec.INSTANCE), StandardCharsets.UTF_8);
    org.junit.jupiter.api.Assertions.assertTrue(
        json.contains("\"soft\":18446744073709551615,\"hard\":18446744073709551615"), json);
    assertEquals(spec, JsonObject.read(json.getBytes(StandardCharsets.UTF_8), RuntimeSpecCodec.INSTANCE));
  }

  @Test
  void writeProcess_sameBytesAsDataBinding() throws IOException {
    ContainerConfig image = ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh")).build();
    RuntimeSpec spec =
        RuntimeSpecs.fromImageConfig(
            ImageConfig.empty("2026-01-01T00:00:00Z").withConfig(image),
            ContainerOptions.builder().user("app").build(),
            rootfs);
    RuntimeSpec.Process p = spec.process();
    byte[] expected = Json.mapper().writeValueAsBytes(p);
    assertArrayEquals(expected, JsonWriter.toBytes(p, RuntimeSpecCodec.PROCESS));
    assertEquals(List.of(10, 29), p.user().additionalGids());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"ociVersion\":null,\"process\":null,\"root\":null,\"mounts\":null,\"linux\":null}",
        "{\"ociVersion\":\"1.1.0\",\"annotations\":{\"a\":\"b\"},\"hooks\":{\"prestart\":[]}}",
        "{\"process\":{\"terminal\":null,\"user\":{\"uid\":\"7\",\"gid\":null,\"umask\":18},"
            + "\"args\":[\"x\",1,false],\"rlimits\":[{\"type\":\"RLIMIT_CORE\"}],"
            + "\"capabilities\":{\"bounding\":null},\"apparmorProfile\":\"p\"}}",
        "{\"root\":{\"readonly\":\"true\"},"
            + "\"mounts\":[{\"destination\":\"/d\",\"uidMappings\":[]}]}",
        "{\"linux\":{\"resources\":{\"memory\":{\"limit\":\"5\"},\"pids\":{},"
            + "\"cpu\":{\"shares\":2},\"devices\":[]},"
            + "\"uidMappings\":[{\"containerID\":1,\"hostID\":2,\"size\":3}],"
            + "\"namespaces\":[{\"type\":\"pid\",\"path\":null}],\"seccomp\":{}}}",
      })
  void read_sameAsDataBinding(String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertEquals(
        Json.read(bytes, RuntimeSpec.class), JsonObject.read(bytes, RuntimeSpecCodec.INSTANCE));
  }

  /** Columns: the JSON, and the path of the field the error names. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"process\":[]}                            | process",
        "{\"process\":{\"user\":{\"uid\":\"root\"}}} | process.user.uid",
        "{\"process\":{\"user\":{\"additionalGids\":[\"x\"]}}} | process.user.additionalGids[0]",
        "{\"process\":{\"args\":\"sh\"}}            | process.args",
        "{\"process\":{\"rlimits\":[5]}}            | process.rlimits[0]",
        "{\"process\":{\"rlimits\":[{\"soft\":{}}]}} | process.rlimits[0].soft",
        "{\"mounts\":[{\"options\":[{}]}]}           | mounts[0].options[0]",
        "{\"linux\":{\"resources\":{\"pids\":{\"limit\":true}}}} | linux.resources.pids.limit",
      })
  void read_wrongType_refusedNamingThePath(String json, String path) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThrows(IOException.class, () -> Json.read(bytes, RuntimeSpec.class));
    JsonFormatException e =
        assertThrows(
            JsonFormatException.class, () -> JsonObject.read(bytes, RuntimeSpecCodec.INSTANCE));
    assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
  }
}
