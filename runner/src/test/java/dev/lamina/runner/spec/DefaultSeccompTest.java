package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultSeccompTest {
  private static final List<String> DOCKER_CAPS = Capabilities.effectiveSet(Set.of(), Set.of());

  /** The calls allowed without conditions. */
  private static List<String> allowed(RuntimeSpec.Seccomp s) {
    return s.syscalls().stream()
        .filter(r -> r.args() == null && r.action().equals(DefaultSeccomp.ALLOW))
        .flatMap(r -> r.names().stream())
        .toList();
  }

  private static List<RuntimeSpec.SyscallRule> rulesFor(RuntimeSpec.Seccomp s, String call) {
    return s.syscalls().stream().filter(r -> r.names().contains(call)).toList();
  }

  @Test
  void refusesByDefault_withEperm_onTheHostsArchitectures() {
    RuntimeSpec.Seccomp s = DefaultSeccomp.forCapabilities(DOCKER_CAPS, "amd64");
    assertEquals("SCMP_ACT_ERRNO", s.defaultAction());
    assertEquals(1, s.defaultErrnoRet());
    assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"), s.architectures());
    assertEquals(
        List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
        DefaultSeccomp.forCapabilities(DOCKER_CAPS, "aarch64").architectures());
    assertNull(DefaultSeccomp.forCapabilities(DOCKER_CAPS, "riscv64").architectures());
  }

  @Test
  void dockersCapabilities_keepNamespacesKeyringAndKernelSurfacesOut() {
    List<String> allowed = allowed(DefaultSeccomp.forCapabilities(DOCKER_CAPS, "amd64"));
    for (String denied :
        List.of(
            "unshare", "setns", "mount", "umount2", "pivot_root", "add_key", "keyctl",
            "request_key", "userfaultfd", "bpf", "perf_event_open", "io_uring_setup",
            "kexec_load", "init_module", "reboot", "settimeofday", "clone", "clone3", "acct",
            "open_by_handle_at", "personality", "socket", "fsopen")) {
      assertFalse(allowed.contains(denied), denied);
    }
    for (String needed :
        List.of(
            "read", "execve", "openat", "chroot", "mknodat", "arch_prctl", "rseq", "statx",
            "ptrace", "setuid", "chown", "fchownat", "futex", "wait4", "sethostname")) {
      if (needed.equals("sethostname")) {
        assertFalse(allowed.contains(needed), "sethostname needs SYS_ADMIN");
      } else {
        assertTrue(allowed.contains(needed), needed);
      }
    }
    assertEquals(allowed.size(), new HashSet<>(allowed).size(), "no call named twice");
  }

  @Test
  void cloneOnlyWithoutNamespaceFlags_clone3FallsBack_personalityAndSocketNarrowed() {
    RuntimeSpec.Seccomp s = DefaultSeccomp.forCapabilities(DOCKER_CAPS, "amd64");
    RuntimeSpec.SyscallRule clone = rulesFor(s, "clone").get(0);
    assertEquals(
        List.of(new RuntimeSpec.SyscallArg(0, 0x7E020000L, 0, "SCMP_CMP_MASKED_EQ")), clone.args());
    RuntimeSpec.SyscallRule clone3 = rulesFor(s, "clone3").get(0);
    assertEquals("SCMP_ACT_ERRNO", clone3.action());
    assertEquals(38, clone3.errnoRet());
    assertEquals(
        List.of(0x0L, 0x8L, 0x20000L, 0x20008L, 0xffffffffL),
        rulesFor(s, "personality").stream().map(r -> r.args().get(0).value()).toList());
    assertEquals("SCMP_CMP_NE", rulesFor(s, "socket").get(0).args().get(0).op());
  }

  @Test
  void addedCapabilities_allowTheirCalls() {
    RuntimeSpec.Seccomp s =
        DefaultSeccomp.forCapabilities(
            Capabilities.effectiveSet(Set.of("SYS_ADMIN", "SYS_TIME"), Set.of()), "amd64");
    List<String> allowed = allowed(s);
    for (String now : List.of("unshare", "setns", "mount", "clone", "clone3", "settimeofday")) {
      assertTrue(allowed.contains(now), now);
    }
    assertTrue(rulesFor(s, "clone").stream().allMatch(r -> r.args() == null));
    assertFalse(allowed.contains("reboot"));
    assertEquals(allowed.size(), new HashSet<>(allowed).size(), "no call named twice");
  }

  @Test
  void droppingChroot_refusesChroot() {
    List<String> caps = Capabilities.effectiveSet(Set.of(), Set.of("SYS_CHROOT"));
    assertFalse(allowed(DefaultSeccomp.forCapabilities(caps, "amd64")).contains("chroot"));
  }
}
