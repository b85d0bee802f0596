package dev.lamina.runner.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The part of the OCI runtime-spec {@code config.json} (v1.0.2) Lamina writes: what a container
 * runs, as whom, with which mounts, namespaces, capabilities and limits. Field names are the
 * spec's; absent values are left out of the JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuntimeSpec(
    @JsonProperty("ociVersion") String ociVersion,
    @JsonProperty("process") Process process,
    @JsonProperty("root") Root root,
    @JsonProperty("hostname") String hostname,
    @JsonProperty("mounts") List<Mount> mounts,
    @JsonProperty("linux") Linux linux,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("annotations")
        java.util.Map<String, String> annotations) {

  /** A spec without annotations. */
  public RuntimeSpec(
      String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
      Linux linux) {
    this(ociVersion, process, root, hostname, mounts, linux, null);
  }

  /** The runtime-spec version written. runc 1.1 reads 1.0.x. */
  public static final String OCI_VERSION = "1.0.2";

  /** The container's process. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Process(
      @JsonProperty("terminal") boolean terminal,
      @JsonProperty("consoleSize") ConsoleSize consoleSize,
      @JsonProperty("user") User user,
      @JsonProperty("args") List<String> args,
      @JsonProperty("env") List<String> env,
      @JsonProperty("cwd") String cwd,
      @JsonProperty("capabilities") Capabilities capabilities,
      @JsonProperty("rlimits") List<Rlimit> rlimits,
      @JsonProperty("noNewPrivileges") boolean noNewPrivileges) {
    /** The same process with a terminal of {@code size} when it starts. */
    public Process withConsoleSize(ConsoleSize size) {
      return new Process(
          terminal, size, user, args, env, cwd, capabilities, rlimits, noNewPrivileges);
    }
  }

  /** The size of the process's terminal when it starts (the runtime sets it on the pty). */
  public record ConsoleSize(
      @JsonProperty("height") int height, @JsonProperty("width") int width) {}

  /** Numeric identity; names are resolved before the spec is written. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record User(
      @JsonProperty("uid") int uid,
      @JsonProperty("gid") int gid,
      @JsonProperty("additionalGids") List<Integer> additionalGids) {}

  /** Capability sets by name ({@code CAP_CHOWN}, ...). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Capabilities(
      @JsonProperty("bounding") List<String> bounding,
      @JsonProperty("effective") List<String> effective,
      @JsonProperty("permitted") List<String> permitted,
      @JsonProperty("ambient") List<String> ambient) {}

  /** A resource limit ({@code RLIMIT_NOFILE}, ...). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rlimit(
      @JsonProperty("type") String type,
      @JsonProperty("soft") long soft,
      @JsonProperty("hard") long hard) {}

  /** The root filesystem: a path relative to the bundle or absolute. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Root(@JsonProperty("path") String path, @JsonProperty("readonly") boolean readonly) {}

  /** One mount, applied in order after the root. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Mount(
      @JsonProperty("destination") String destination,
      @JsonProperty("type") String type,
      @JsonProperty("source") String source,
      @JsonProperty("options") List<String> options) {}

  /** Linux-specific settings. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Linux(
      @JsonProperty("namespaces") List<Namespace> namespaces,
      @JsonProperty("uidMappings") List<IdMapping> uidMappings,
      @JsonProperty("gidMappings") List<IdMapping> gidMappings,
      @JsonProperty("resources") Resources resources,
      @JsonProperty("cgroupsPath") String cgroupsPath,
      @JsonProperty("maskedPaths") List<String> maskedPaths,
      @JsonProperty("readonlyPaths") List<String> readonlyPaths,
      @JsonProperty("seccomp") Seccomp seccomp,
      @JsonProperty("devices") List<Device> devices) {
    /** Settings without device nodes of their own. */
    public Linux(
        List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
        Resources resources, String cgroupsPath, List<String> maskedPaths,
        List<String> readonlyPaths, Seccomp seccomp) {
      this(namespaces, uidMappings, gidMappings, resources, cgroupsPath, maskedPaths,
          readonlyPaths, seccomp, null);
    }
  }

  /** A device node the runtime creates in the container's {@code /dev}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Device(
      @JsonProperty("path") String path,
      @JsonProperty("type") String type,
      @JsonProperty("major") long major,
      @JsonProperty("minor") long minor,
      @JsonProperty("fileMode") Integer fileMode,
      @JsonProperty("uid") Integer uid,
      @JsonProperty("gid") Integer gid) {}

  /** A device cgroup rule: {@code access} (of {@code rwm}) allowed or denied; null matches all. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DeviceRule(
      @JsonProperty("allow") boolean allow,
      @JsonProperty("type") String type,
      @JsonProperty("major") Long major,
      @JsonProperty("minor") Long minor,
      @JsonProperty("access") String access) {}

  /**
   * A seccomp filter: {@code defaultAction} (with {@code defaultErrnoRet}) for every system call
   * no rule names; the rules in order.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Seccomp(
      @JsonProperty("defaultAction") String defaultAction,
      @JsonProperty("defaultErrnoRet") Integer defaultErrnoRet,
      @JsonProperty("architectures") List<String> architectures,
      @JsonProperty("syscalls") List<SyscallRule> syscalls) {}

  /** An action for the named system calls, when every argument condition holds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SyscallRule(
      @JsonProperty("names") List<String> names,
      @JsonProperty("action") String action,
      @JsonProperty("errnoRet") Integer errnoRet,
      @JsonProperty("args") List<SyscallArg> args) {}

  /** A condition on argument {@code index}: {@code op} compares it with {@code value}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SyscallArg(
      @JsonProperty("index") int index,
      @JsonProperty("value") long value,
      @JsonProperty("valueTwo") long valueTwo,
      @JsonProperty("op") String op) {}

  /** A namespace to create ({@code path} null) or join. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Namespace(@JsonProperty("type") String type, @JsonProperty("path") String path) {}

  /** A user-namespace id range. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record IdMapping(
      @JsonProperty("containerID") long containerId,
      @JsonProperty("hostID") long hostId,
      @JsonProperty("size") long size) {}

  /** cgroup limits. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Resources(
      @JsonProperty("memory") Memory memory,
      @JsonProperty("pids") Pids pids,
      @JsonProperty("cpu") Cpu cpu,
      @JsonProperty("devices") List<DeviceRule> devices) {
    /** Limits without device rules. */
    public Resources(Memory memory, Pids pids, Cpu cpu) {
      this(memory, pids, cpu, null);
    }
  }

  /** Memory limit and swap (memory + swap) limit, bytes. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Memory(@JsonProperty("limit") Long limit, @JsonProperty("swap") Long swap) {}

  /** Maximum number of processes. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Pids(@JsonProperty("limit") long limit) {}

  /** CFS quota and period, microseconds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Cpu(@JsonProperty("quota") Long quota, @JsonProperty("period") Long period) {}
}
