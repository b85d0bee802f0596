package dev.lamina.runner.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The default seccomp filter of every container and build step: an allow list in the spirit of
 * Docker's and podman's default profile. A system call it does not name fails with EPERM, so a
 * call added to the kernel later is refused until reviewed.
 *
 * <p>What it keeps from a process that has root inside the container, over and above what the
 * capabilities already refuse:
 *
 * <ul>
 *   <li>new namespaces ({@code unshare}, {@code setns}, {@code clone} with a namespace flag),
 *       which would hand an unprivileged user namespace, and the kernel code only it reaches, to
 *       the container;
 *   <li>the kernel keyring ({@code add_key}, {@code keyctl}, {@code request_key}), which no
 *       namespace separates;
 *   <li>{@code userfaultfd}, {@code io_uring_*}, {@code bpf} and {@code perf_event_open}, large
 *       attack surfaces that ordinary programs do not need;
 *   <li>execution domains other than Linux's ({@code personality}).
 * </ul>
 *
 * <p>A capability the container is given ({@code --cap-add}) also allows the calls that need it,
 * as with Docker: {@code SYS_ADMIN} allows mounting and namespaces, {@code SYS_TIME} setting the
 * clock, and so on. {@code clone3} fails with ENOSYS, not EPERM, without {@code SYS_ADMIN}: its
 * flags are in memory a filter cannot read, and ENOSYS makes the C library fall back to {@code
 * clone}, whose flags it can.
 */
public final class DefaultSeccomp {
  static final String ALLOW = "SCMP_ACT_ALLOW";
  static final String ERRNO = "SCMP_ACT_ERRNO";
  static final int EPERM = 1;
  static final int ENOSYS = 38;

  /** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
  static final long CLONE_NAMESPACE_FLAGS = 0x7E020000L;

  /** Allowed whatever the capabilities (a call still does its own permission checks). */
  static final List<String> ALWAYS =
      List.of(
          "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat",
          "capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime",
          "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
          "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
          "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
          "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
          "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
          "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
          "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32",
          "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
          "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
          "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64",
          "futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents",
          "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
          "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
          "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
          "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
          "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32",
          "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
          "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
          "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc",
          "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
          "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
          "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
          "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore",
          "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
          "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
          "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap",
          "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
          "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat",
          "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
          "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64",
          "preadv", "preadv2", "prlimit64", "process_mrelease", "process_vm_readv",
          "process_vm_writev", "pselect6", "pselect6_time64", "ptrace", "pwrite64", "pwritev",
          "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
          "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
          "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
          "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
          "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity",
          "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
          "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
          "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
          "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
          "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
          "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
          "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
          "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
          "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area",
          "set_tid_address", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt",
          "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask",
          "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs",
          "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
          "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
          "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
          "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
          "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask",
          "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes",
          "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev");

  /** Calls of one architecture family, allowed on it. */
  static final Map<String, List<String>> ARCH_CALLS =
      Map.of(
          "amd64", List.of("arch_prctl", "modify_ldt"),
          "aarch64",
              List.of(
                  "arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush",
                  "set_tls", "sync_file_range2"));

  /** Calls allowed only to a container that holds the capability. */
  static final Map<String, List<String>> BY_CAPABILITY =
      Map.ofEntries(
          Map.entry(
              "CAP_SYS_ADMIN",
              List.of(
                  "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
                  "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree",
                  "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
                  "setns", "syslog", "umount", "umount2", "unshare")),
          Map.entry("CAP_SYS_BOOT", List.of("reboot")),
          Map.entry("CAP_SYS_CHROOT", List.of("chroot")),
          Map.entry("CAP_SYS_MODULE", List.of("delete_module", "finit_module", "init_module")),
          Map.entry("CAP_SYS_PACCT", List.of("acct")),
          Map.entry("CAP_SYS_PTRACE", List.of("kcmp", "pidfd_getfd", "process_madvise")),
          Map.entry("CAP_SYS_RAWIO", List.of("ioperm", "iopl")),
          Map.entry(
              "CAP_SYS_TIME",
              List.of("clock_settime", "clock_settime64", "settimeofday", "stime")),
          Map.entry("CAP_SYS_TTY_CONFIG", List.of("vhangup")),
          Map.entry(
              "CAP_SYS_NICE",
              List.of("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node")),
          Map.entry("CAP_SYSLOG", List.of("syslog")),
          Map.entry("CAP_BPF", List.of("bpf")),
          Map.entry("CAP_PERFMON", List.of("perf_event_open")),
          Map.entry("CAP_DAC_READ_SEARCH", List.of("open_by_handle_at")));

  /** The execution domains allowed: Linux, 32-bit Linux, UNAME26 with either, and the query. */
  static final List<Long> PERSONALITIES = List.of(0x0L, 0x8L, 0x20000L, 0x20008L, 0xffffffffL);

  /** AF_VSOCK: sockets to the hypervisor, which no namespace separates. */
  static final long AF_VSOCK = 40;

  private DefaultSeccomp() {}

  /**
   * The filter for a container whose bounding capabilities are {@code capabilities} ({@code
   * CAP_} names), on this machine's architecture.
   */
  public static RuntimeSpec.Seccomp forCapabilities(List<String> capabilities) {
    return forCapabilities(capabilities, System.getProperty("os.arch"));
  }

  static RuntimeSpec.Seccomp forCapabilities(List<String> capabilities, String osArch) {
    Set<String> caps = Set.copyOf(capabilities);
    List<String> allowed = new ArrayList<>(ALWAYS);
    allowed.addAll(ARCH_CALLS.getOrDefault(family(osArch), List.of()));
    BY_CAPABILITY.entrySet().stream()
        .filter(e -> caps.contains(e.getKey()))
        // Not Map.Entry.comparingByKey(): its lambda is spun at run time, not archived.
        .sorted((a, b) -> a.getKey().compareTo(b.getKey()))
        .forEach(e -> e.getValue().stream().filter(c -> !allowed.contains(c)).forEach(allowed::add));

    List<RuntimeSpec.SyscallRule> rules = new ArrayList<>();
    rules.add(new RuntimeSpec.SyscallRule(List.copyOf(allowed), ALLOW, null, null));
    for (long persona : PERSONALITIES) {
      rules.add(rule("personality", arg(0, persona, 0, "SCMP_CMP_EQ")));
    }
    rules.add(rule("socket", arg(0, AF_VSOCK, 0, "SCMP_CMP_NE")));
    if (!caps.contains("CAP_SYS_ADMIN")) {
      // Only a clone whose flags hold no namespace flag (the flags are the first argument on
      // the architectures handled here).
      rules.add(rule("clone", arg(0, CLONE_NAMESPACE_FLAGS, 0, "SCMP_CMP_MASKED_EQ")));
      rules.add(new RuntimeSpec.SyscallRule(List.of("clone3"), ERRNO, ENOSYS, null));
    }
    return new RuntimeSpec.Seccomp(ERRNO, EPERM, architectures(osArch), List.copyOf(rules));
  }

  private static RuntimeSpec.SyscallRule rule(String name, RuntimeSpec.SyscallArg arg) {
    return new RuntimeSpec.SyscallRule(List.of(name), ALLOW, null, List.of(arg));
  }

  private static RuntimeSpec.SyscallArg arg(int index, long value, long valueTwo, String op) {
    return new RuntimeSpec.SyscallArg(index, value, valueTwo, op);
  }

  private static String family(String osArch) {
    return switch (osArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "aarch64";
      default -> osArch;
    };
  }

  /**
   * The architectures whose calls the filter handles: the machine's own and the 32-bit one its
   * kernel also runs; calls of any other are refused outright.
   *
   * <p>Unlike Docker's profile, not x32: its ABI is off in the kernels of Debian, Ubuntu and
   * Fedora (and not built into many), so no program in a container uses it, while each
   * architecture in the filter costs runc about a third more time to build it (measured: 17 ms
   * for x86-64 alone, 20 ms with x86, 27 ms with x32 as well, against 13 ms for no filter).
   */
  static List<String> architectures(String osArch) {
    return switch (family(osArch)) {
      case "amd64" -> List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
      case "aarch64" -> List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
      default -> null;
    };
  }
}
