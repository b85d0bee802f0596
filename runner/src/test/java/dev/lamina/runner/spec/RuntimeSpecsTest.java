package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeSpecsTest {
  @TempDir Path rootfs;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(
        rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:\n");
  }

  private static List<String> words(String s) {
    return s.equals("-") ? null : s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
  }

  private static ImageConfig image(ContainerConfig c) {
    return ImageConfig.empty("2026-01-01T00:00:00Z").withConfig(c);
  }

  /** Columns: image Entrypoint, image Cmd, --entrypoint, args; "-" = not set. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "-            | sh -c true | -       | ''     | sh -c true",
        "/entry       | a b        | -       | ''     | /entry a b",
        "/entry       | a b        | -       | x      | /entry x",
        "-            | sh         | -       | ls /   | ls /",
        "/entry       | a b        | /other  | ''     | /other",
        "/entry       | a b        | /other  | y      | /other y",
        "/entry       | -          | ''      | echo x | echo x",
      })
  void command_dockerRules(String ep, String cmd, String override, String args, String expected) {
    ContainerConfig config =
        ContainerConfig.EMPTY.toBuilder().entrypoint(words(ep)).cmd(words(cmd)).build();
    ContainerOptions options =
        ContainerOptions.builder().entrypoint(words(override)).args(words(args)).build();
    assertEquals(words(expected), RuntimeSpecs.command(config, options));
  }

  @Test
  void command_nothingToRun_refused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RuntimeSpecs.command(ContainerConfig.EMPTY, ContainerOptions.defaults()));
  }

  @Test
  void fromImageConfig_env_imageThenOptionsAndDefaults() throws IOException {
    ContainerConfig c =
        ContainerConfig.EMPTY.toBuilder()
            .cmd(List.of("true"))
            .env(List.of("A=1", "B=2"))
            .user("app")
            .build();
    RuntimeSpec spec =
        RuntimeSpecs.fromImageConfig(
            image(c),
            ContainerOptions.builder().env("B=3").env("C=x=y").hostname("h1").build(),
            rootfs);
    assertEquals(
        List.of(
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOSTNAME=h1",
            "A=1",
            "B=3",
            "C=x=y",
            "HOME=/home/app"),
        spec.process().env());
    assertEquals(1000, spec.process().user().uid());
    assertEquals("h1", spec.hostname());
  }

  @Test
  void fromImageConfig_imagePath_replacesDefault() throws IOException {
    ContainerConfig c =
        ContainerConfig.EMPTY.toBuilder().cmd(List.of("true")).env(List.of("PATH=/x")).build();
    RuntimeSpec spec = RuntimeSpecs.fromImageConfig(image(c), ContainerOptions.defaults(), rootfs);
    assertEquals("PATH=/x", spec.process().env().get(0));
  }

  @Test
  void fromImageConfig_defaults_dockerSecurity() throws IOException {
    ContainerConfig c = ContainerConfig.EMPTY.toBuilder().cmd(List.of("true")).build();
    RuntimeSpec spec = RuntimeSpecs.fromImageConfig(image(c), ContainerOptions.defaults(), rootfs);

    assertFalse(spec.process().noNewPrivileges(), "Docker's default: setuid binaries work");
    assertTrue(
        RuntimeSpecs.fromImageConfig(
                image(c), ContainerOptions.builder().noNewPrivileges(true).build(), rootfs)
            .process()
            .noNewPrivileges());
    assertEquals("/", spec.process().cwd());
    assertEquals(0xa80425fbL, Capabilities.mask(spec.process().capabilities().bounding()));
    assertEquals(0xa80425fbL, Capabilities.mask(spec.process().capabilities().effective()));
    assertTrue(spec.linux().maskedPaths().contains("/proc/kcore"));
    assertTrue(spec.linux().readonlyPaths().contains("/proc/sys"));
    List<String> ns = spec.linux().namespaces().stream().map(RuntimeSpec.Namespace::type).toList();
    assertEquals(List.of("pid", "mount", "uts", "ipc"), ns);
    List<String> dests = spec.mounts().stream().map(RuntimeSpec.Mount::destination).toList();
    assertTrue(
        dests.containsAll(
            List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys")));
    RuntimeSpec.Rlimit nofile = spec.process().rlimits().get(0);
    assertEquals("RLIMIT_NOFILE", nofile.type());
    long hostHard = HostLimits.current().get("Max open files").orElseThrow().hard();
    assertTrue(nofile.hard() <= hostHard || hostHard < 0);
    assertFalse(spec.root().readonly());
    assertNull(spec.linux().resources());
  }

  @Test
  void fromImageConfig_nonRootUser_noEffectiveCapabilities() throws IOException {
    ContainerConfig c = ContainerConfig.EMPTY.toBuilder().cmd(List.of("true")).build();
    RuntimeSpec spec =
        RuntimeSpecs.fromImageConfig(
            image(c), ContainerOptions.builder().user("1000").build(), rootfs);
    assertEquals(List.of(), spec.process().capabilities().effective());
    assertEquals(0xa80425fbL, Capabilities.mask(spec.process().capabilities().bounding()));
  }

  @Test
  void fromImageConfig_options_mapped() throws IOException {
    ContainerConfig c =
        ContainerConfig.EMPTY.toBuilder().cmd(List.of("true")).workingDir("/srv/../app").build();
    ContainerOptions o =
        ContainerOptions.builder()
            .network(Network.NONE)
            .readOnly(true)
            .tmpfs("/run:size=1m,exec")
            .bind(new BindMount(Path.of("/host/data"), "/data", true))
            .memoryBytes(64L * 1024 * 1024)
            .pidsLimit(50L)
            .cpus(0.5)
            .build();
    RuntimeSpec spec = RuntimeSpecs.fromImageConfig(image(c), o, rootfs);

    assertEquals("/app", spec.process().cwd());
    assertTrue(spec.root().readonly());
    assertTrue(
        spec.linux().namespaces().contains(new RuntimeSpec.Namespace("network", null)));
    RuntimeSpec.Mount run = find(spec, "/run");
    assertEquals(List.of("nosuid", "nodev", "size=1m", "exec"), run.options());
    RuntimeSpec.Mount data = find(spec, "/data");
    assertEquals("/host/data", data.source());
    assertEquals(List.of("rbind", "rprivate", "ro"), data.options());
    assertEquals(64L * 1024 * 1024, spec.linux().resources().memory().limit());
    assertEquals(50, spec.linux().resources().pids().limit());
    assertEquals(50_000L, spec.linux().resources().cpu().quota());
  }

  @Test
  void fromImageConfig_relativeWorkdir_refused() {
    ContainerConfig c = ContainerConfig.EMPTY.toBuilder().cmd(List.of("true")).build();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RuntimeSpecs.fromImageConfig(
                image(c), ContainerOptions.builder().workdir("rel").build(), rootfs));
  }

  @Test
  void json_runtimeSpecFields_named() throws IOException {
    ContainerConfig c = ContainerConfig.EMPTY.toBuilder().cmd(List.of("true")).build();
    RuntimeSpec spec = RuntimeSpecs.fromImageConfig(image(c), ContainerOptions.defaults(), rootfs);
    byte[] bytes = JsonWriter.toBytes(spec, RuntimeSpecCodec.INSTANCE);
    JsonObject tree = JsonObject.parse(bytes);
    assertEquals("1.0.2", tree.string("ociVersion"));
    JsonObject process = tree.object("process");
    assertEquals(0, process.object("user").intValue("uid", -1));
    assertFalse(process.object("user").names().contains("additionalGids"));
    assertFalse(process.bool("noNewPrivileges"));
    assertTrue(process.has("noNewPrivileges"));
    Map<?, ?> namespace = (Map<?, ?>) ((List<?>) tree.object("linux").raw("namespaces")).get(0);
    assertEquals("pid", namespace.get("type"));
    assertFalse(namespace.containsKey("path"));
    assertEquals(spec, JsonObject.read(bytes, RuntimeSpecCodec.INSTANCE));
  }

  private static RuntimeSpec.Mount find(RuntimeSpec spec, String dest) {
    return spec.mounts().stream().filter(m -> m.destination().equals(dest)).findFirst().orElseThrow();
  }
}
