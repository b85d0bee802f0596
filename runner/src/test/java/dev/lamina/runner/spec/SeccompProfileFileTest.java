package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker-format profiles, settled for one machine and one container. */
class SeccompProfileFileTest {
  @TempDir Path tmp;

  private static final String PROFILE =
      """
      {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "archMap": [
          {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
          {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []}
        ],
        "syscalls": [
          {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
          {"name": "old_style", "action": "SCMP_ACT_ALLOW"},
          {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
          {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
          {"names": ["newer"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "6.2"}},
          {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
           "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
           "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
          {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
           "excludes": {"caps": ["CAP_SYS_ADMIN"]}}
        ]
      }
      """;

  private RuntimeSpec.Seccomp read(String json, String arch, int[] kernel, List<String> caps)
      throws IOException {
    Path file = tmp.resolve("profile.json");
    Files.writeString(file, json);
    return new SeccompProfileFile(arch, kernel, caps).read(file);
  }

  private static List<String> names(RuntimeSpec.Seccomp s) {
    return s.syscalls().stream().flatMap(r -> r.names().stream()).toList();
  }

  @Test
  void conditionsSettled_forArchKernelAndCapabilities() throws IOException {
    RuntimeSpec.Seccomp plain = read(PROFILE, "amd64", new int[] {6, 1}, List.of("CAP_CHOWN"));
    assertEquals("SCMP_ACT_ERRNO", plain.defaultAction());
    assertEquals(1, plain.defaultErrnoRet());
    assertEquals(
        List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"), plain.architectures());
    assertEquals(
        List.of("read", "write", "old_style", "arch_prctl", "clone", "clone3"), names(plain));
    assertEquals("SCMP_CMP_MASKED_EQ", plain.syscalls().get(3).args().get(0).op());
    assertEquals(38, plain.syscalls().get(4).errnoRet());

    RuntimeSpec.Seccomp admin =
        read(PROFILE, "arm64", new int[] {6, 2}, List.of("CAP_SYS_ADMIN"));
    assertEquals(List.of("read", "write", "old_style", "mount", "newer"), names(admin));
  }

  @Test
  void theSpecsOwnForm_readAsIs() throws IOException {
    RuntimeSpec.Seccomp s =
        read(
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                + "\"syscalls\":[{\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
            "amd64",
            new int[] {6, 1},
            List.of());
    assertEquals(List.of("SCMP_ARCH_X86_64"), s.architectures());
    assertEquals(List.of("unshare"), names(s));
    assertNull(s.defaultErrnoRet());
  }

  @Test
  void badProfiles_refusedNamingTheFile() {
    for (String bad :
        List.of(
            "not json",
            "{\"defaultAction\":\"SCMP_ACT_MAYBE\"}",
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}",
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"op\":\"LIKE\"}]}]}")) {
      IOException e =
          assertThrows(
              IOException.class, () -> read(bad, "amd64", new int[] {6, 1}, List.of()), bad);
      assertTrue(e.getMessage().startsWith("seccomp profile " + tmp.resolve("profile.json")), e.getMessage());
    }
    IOException missing =
        assertThrows(
            IOException.class,
            () -> new SeccompProfileFile("amd64", new int[] {6, 1}, List.of()).read(tmp.resolve("no")));
    assertTrue(missing.getMessage().startsWith("cannot read seccomp profile"), missing.getMessage());
  }

  @Test
  void kernelVersions() {
    assertArrayEquals(new int[] {6, 1}, SeccompProfileFile.kernelVersion("6.1.0-28-amd64"));
    assertArrayEquals(new int[] {4, 0}, SeccompProfileFile.kernelVersion("4"));
    assertArrayEquals(new int[] {0, 0}, SeccompProfileFile.kernelVersion("x.y"));
  }
}
