package dev.lamina.runner.spec;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A bundle's {@code config.json}: a {@link RuntimeSpec} written as Jackson's data binding writes
 * it (fields in declaration order; nulls left out of the types marked {@code NON_NULL}, written as
 * {@code null} in the others) and read as it reads it (unknown fields ignored).
 */
public final class RuntimeSpecCodec implements JsonCodec<RuntimeSpec> {
  public static final RuntimeSpecCodec INSTANCE = new RuntimeSpecCodec();

  /** The process alone, as {@code runc exec --process} reads it. */
  public static final JsonCodec<RuntimeSpec.Process> PROCESS = new ProcessCodec();

  private static final JsonCodec<RuntimeSpec.User> USER = new UserCodec();
  private static final JsonCodec<RuntimeSpec.ConsoleSize> CONSOLE_SIZE = new ConsoleSizeCodec();
  private static final JsonCodec<RuntimeSpec.Capabilities> CAPABILITIES = new CapabilitiesCodec();
  private static final JsonCodec<RuntimeSpec.Rlimit> RLIMIT = new RlimitCodec();
  private static final JsonCodec<RuntimeSpec.Root> ROOT = new RootCodec();
  private static final JsonCodec<RuntimeSpec.Mount> MOUNT = new MountCodec();
  private static final JsonCodec<RuntimeSpec.Linux> LINUX = new LinuxCodec();
  private static final JsonCodec<RuntimeSpec.Namespace> NAMESPACE = new NamespaceCodec();
  private static final JsonCodec<RuntimeSpec.IdMapping> ID_MAPPING = new IdMappingCodec();
  private static final JsonCodec<RuntimeSpec.Resources> RESOURCES = new ResourcesCodec();
  private static final JsonCodec<RuntimeSpec.Memory> MEMORY = new MemoryCodec();
  private static final JsonCodec<RuntimeSpec.Pids> PIDS = new PidsCodec();
  private static final JsonCodec<RuntimeSpec.Cpu> CPU = new CpuCodec();
  private static final JsonCodec<RuntimeSpec.Seccomp> SECCOMP = new SeccompCodec();
  private static final JsonCodec<RuntimeSpec.SyscallRule> SYSCALL_RULE = new SyscallRuleCodec();
  private static final JsonCodec<RuntimeSpec.SyscallArg> SYSCALL_ARG = new SyscallArgCodec();
  private static final JsonCodec<RuntimeSpec.Device> DEVICE = new DeviceCodec();
  private static final JsonCodec<RuntimeSpec.DeviceRule> DEVICE_RULE = new DeviceRuleCodec();

  /** RLIM_INFINITY as the runtime reads it: the largest unsigned 64-bit number. */
  private static final java.math.BigInteger RLIM_INFINITY =
      java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE);

  private RuntimeSpecCodec() {}

  @Override
  public void write(JsonWriter out, RuntimeSpec s) throws IOException {
    out.startObject()
        .string("ociVersion", s.ociVersion())
        .value("process", s.process(), PROCESS)
        .value("root", s.root(), ROOT)
        .string("hostname", s.hostname())
        .list("mounts", s.mounts(), MOUNT)
        .value("linux", s.linux(), LINUX);
    if (s.annotations() != null && !s.annotations().isEmpty()) {
      out.stringMap("annotations", s.annotations());
    }
    out.endObject();
  }

  @Override
  public RuntimeSpec read(JsonObject in) throws JsonFormatException {
    return new RuntimeSpec(
        in.string("ociVersion"),
        in.read("process", PROCESS),
        in.read("root", ROOT),
        in.string("hostname"),
        in.list("mounts", MOUNT),
        in.read("linux", LINUX),
        in.stringMap("annotations"));
  }

  /** A limit as the runtime reads it: unlimited (-1) as RLIM_INFINITY. */
  private static void rlimitValue(JsonWriter out, String name, long v) throws IOException {
    if (v == Ulimit.UNLIMITED) {
      out.raw(name, RLIM_INFINITY);
    } else {
      out.number(name, v);
    }
  }

  private static long rlimitValue(JsonObject in, String name) throws JsonFormatException {
    if (in.raw(name) instanceof java.math.BigInteger) {
      return Ulimit.UNLIMITED;
    }
    return in.longValue(name, 0);
  }

  /** A string written as {@code null} when absent, for the types without {@code NON_NULL}. */
  private static void stringOrNull(JsonWriter out, String name, String value) throws IOException {
    if (value == null) {
      out.nullField(name);
    } else {
      out.string(name, value);
    }
  }

  /** A list written as {@code null} when absent, for the types without {@code NON_NULL}. */
  private static void stringsOrNull(JsonWriter out, String name, List<String> values)
      throws IOException {
    if (values == null) {
      out.nullField(name);
    } else {
      out.strings(name, values);
    }
  }

  private static final class ProcessCodec implements JsonCodec<RuntimeSpec.Process> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Process p) throws IOException {
      out.startObject()
          .bool("terminal", p.terminal())
          .value("consoleSize", p.consoleSize(), CONSOLE_SIZE)
          .value("user", p.user(), USER)
          .strings("args", p.args())
          .strings("env", p.env())
          .string("cwd", p.cwd())
          .value("capabilities", p.capabilities(), CAPABILITIES)
          .list("rlimits", p.rlimits(), RLIMIT)
          .bool("noNewPrivileges", p.noNewPrivileges())
          .endObject();
    }

    @Override
    public RuntimeSpec.Process read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Process(
          in.bool("terminal"),
          in.read("consoleSize", CONSOLE_SIZE),
          in.read("user", USER),
          in.strings("args"),
          in.strings("env"),
          in.string("cwd"),
          in.read("capabilities", CAPABILITIES),
          in.list("rlimits", RLIMIT),
          in.bool("noNewPrivileges"));
    }
  }

  private static final class ConsoleSizeCodec implements JsonCodec<RuntimeSpec.ConsoleSize> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.ConsoleSize c) throws IOException {
      out.startObject().number("height", c.height()).number("width", c.width()).endObject();
    }

    @Override
    public RuntimeSpec.ConsoleSize read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.ConsoleSize(
          (int) in.longValue("height", 0), (int) in.longValue("width", 0));
    }
  }

  private static final class UserCodec implements JsonCodec<RuntimeSpec.User> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.User u) throws IOException {
      out.startObject()
          .number("uid", u.uid())
          .number("gid", u.gid())
          .numbers("additionalGids", u.additionalGids())
          .endObject();
    }

    @Override
    public RuntimeSpec.User read(JsonObject in) throws JsonFormatException {
      List<Long> gids = in.longs("additionalGids");
      List<Integer> additional = null;
      if (gids != null) {
        additional = new ArrayList<>(gids.size());
        for (long g : gids) {
          if (g < Integer.MIN_VALUE || g > Integer.MAX_VALUE) {
            throw in.invalid("additionalGids", "a group id beyond 32 bits");
          }
          additional.add((int) g);
        }
      }
      return new RuntimeSpec.User(in.intValue("uid", 0), in.intValue("gid", 0), additional);
    }
  }

  private static final class CapabilitiesCodec implements JsonCodec<RuntimeSpec.Capabilities> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Capabilities c) throws IOException {
      out.startObject();
      stringsOrNull(out, "bounding", c.bounding());
      stringsOrNull(out, "effective", c.effective());
      stringsOrNull(out, "permitted", c.permitted());
      stringsOrNull(out, "ambient", c.ambient());
      out.endObject();
    }

    @Override
    public RuntimeSpec.Capabilities read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Capabilities(
          in.strings("bounding"),
          in.strings("effective"),
          in.strings("permitted"),
          in.strings("ambient"));
    }
  }

  private static final class RlimitCodec implements JsonCodec<RuntimeSpec.Rlimit> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Rlimit r) throws IOException {
      out.startObject();
      stringOrNull(out, "type", r.type());
      rlimitValue(out, "soft", r.soft());
      rlimitValue(out, "hard", r.hard());
      out.endObject();
    }

    @Override
    public RuntimeSpec.Rlimit read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Rlimit(
          in.string("type"), rlimitValue(in, "soft"), rlimitValue(in, "hard"));
    }
  }

  private static final class RootCodec implements JsonCodec<RuntimeSpec.Root> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Root r) throws IOException {
      out.startObject();
      stringOrNull(out, "path", r.path());
      out.bool("readonly", r.readonly()).endObject();
    }

    @Override
    public RuntimeSpec.Root read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Root(in.string("path"), in.bool("readonly"));
    }
  }

  private static final class MountCodec implements JsonCodec<RuntimeSpec.Mount> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Mount m) throws IOException {
      out.startObject()
          .string("destination", m.destination())
          .string("type", m.type())
          .string("source", m.source())
          .strings("options", m.options())
          .endObject();
    }

    @Override
    public RuntimeSpec.Mount read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Mount(
          in.string("destination"), in.string("type"), in.string("source"), in.strings("options"));
    }
  }

  private static final class LinuxCodec implements JsonCodec<RuntimeSpec.Linux> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Linux l) throws IOException {
      out.startObject()
          .list("namespaces", l.namespaces(), NAMESPACE)
          .list("uidMappings", l.uidMappings(), ID_MAPPING)
          .list("gidMappings", l.gidMappings(), ID_MAPPING)
          .value("resources", l.resources(), RESOURCES)
          .string("cgroupsPath", l.cgroupsPath())
          .strings("maskedPaths", l.maskedPaths())
          .strings("readonlyPaths", l.readonlyPaths())
          .value("seccomp", l.seccomp(), SECCOMP)
          .list("devices", l.devices(), DEVICE)
          .endObject();
    }

    @Override
    public RuntimeSpec.Linux read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Linux(
          in.list("namespaces", NAMESPACE),
          in.list("uidMappings", ID_MAPPING),
          in.list("gidMappings", ID_MAPPING),
          in.read("resources", RESOURCES),
          in.string("cgroupsPath"),
          in.strings("maskedPaths"),
          in.strings("readonlyPaths"),
          in.read("seccomp", SECCOMP),
          in.list("devices", DEVICE));
    }
  }

  private static final class SeccompCodec implements JsonCodec<RuntimeSpec.Seccomp> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Seccomp s) throws IOException {
      out.startObject()
          .string("defaultAction", s.defaultAction())
          .number("defaultErrnoRet", s.defaultErrnoRet())
          .strings("architectures", s.architectures())
          .list("syscalls", s.syscalls(), SYSCALL_RULE)
          .endObject();
    }

    @Override
    public RuntimeSpec.Seccomp read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Seccomp(
          in.string("defaultAction"),
          in.intOrNull("defaultErrnoRet"),
          in.strings("architectures"),
          in.list("syscalls", SYSCALL_RULE));
    }
  }

  private static final class SyscallRuleCodec implements JsonCodec<RuntimeSpec.SyscallRule> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.SyscallRule r) throws IOException {
      out.startObject()
          .strings("names", r.names())
          .string("action", r.action())
          .number("errnoRet", r.errnoRet())
          .list("args", r.args(), SYSCALL_ARG)
          .endObject();
    }

    @Override
    public RuntimeSpec.SyscallRule read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.SyscallRule(
          in.strings("names"),
          in.string("action"),
          in.intOrNull("errnoRet"),
          in.list("args", SYSCALL_ARG));
    }
  }

  private static final class SyscallArgCodec implements JsonCodec<RuntimeSpec.SyscallArg> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.SyscallArg a) throws IOException {
      out.startObject()
          .number("index", a.index())
          .number("value", a.value())
          .number("valueTwo", a.valueTwo());
      stringOrNull(out, "op", a.op());
      out.endObject();
    }

    @Override
    public RuntimeSpec.SyscallArg read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.SyscallArg(
          in.intValue("index", 0),
          in.longValue("value", 0),
          in.longValue("valueTwo", 0),
          in.string("op"));
    }
  }

  private static final class NamespaceCodec implements JsonCodec<RuntimeSpec.Namespace> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Namespace n) throws IOException {
      out.startObject().string("type", n.type()).string("path", n.path()).endObject();
    }

    @Override
    public RuntimeSpec.Namespace read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Namespace(in.string("type"), in.string("path"));
    }
  }

  private static final class IdMappingCodec implements JsonCodec<RuntimeSpec.IdMapping> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.IdMapping m) throws IOException {
      out.startObject()
          .number("containerID", m.containerId())
          .number("hostID", m.hostId())
          .number("size", m.size())
          .endObject();
    }

    @Override
    public RuntimeSpec.IdMapping read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.IdMapping(
          in.longValue("containerID", 0), in.longValue("hostID", 0), in.longValue("size", 0));
    }
  }

  private static final class ResourcesCodec implements JsonCodec<RuntimeSpec.Resources> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Resources r) throws IOException {
      out.startObject()
          .value("memory", r.memory(), MEMORY)
          .value("pids", r.pids(), PIDS)
          .value("cpu", r.cpu(), CPU)
          .list("devices", r.devices(), DEVICE_RULE)
          .endObject();
    }

    @Override
    public RuntimeSpec.Resources read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Resources(
          in.read("memory", MEMORY), in.read("pids", PIDS), in.read("cpu", CPU),
          in.list("devices", DEVICE_RULE));
    }
  }

  private static final class MemoryCodec implements JsonCodec<RuntimeSpec.Memory> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Memory m) throws IOException {
      out.startObject().number("limit", m.limit()).number("swap", m.swap()).endObject();
    }

    @Override
    public RuntimeSpec.Memory read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Memory(in.longOrNull("limit"), in.longOrNull("swap"));
    }
  }

  private static final class PidsCodec implements JsonCodec<RuntimeSpec.Pids> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Pids p) throws IOException {
      out.startObject().number("limit", p.limit()).endObject();
    }

    @Override
    public RuntimeSpec.Pids read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Pids(in.longValue("limit", 0));
    }
  }

  private static final class CpuCodec implements JsonCodec<RuntimeSpec.Cpu> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Cpu c) throws IOException {
      out.startObject().number("quota", c.quota()).number("period", c.period()).endObject();
    }

    @Override
    public RuntimeSpec.Cpu read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Cpu(in.longOrNull("quota"), in.longOrNull("period"));
    }
  }

  private static final class DeviceCodec implements JsonCodec<RuntimeSpec.Device> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.Device d) throws IOException {
      out.startObject()
          .string("path", d.path())
          .string("type", d.type())
          .number("major", d.major())
          .number("minor", d.minor())
          .number("fileMode", d.fileMode())
          .number("uid", d.uid())
          .number("gid", d.gid())
          .endObject();
    }

    @Override
    public RuntimeSpec.Device read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.Device(
          in.string("path"), in.string("type"), in.longValue("major", 0),
          in.longValue("minor", 0), in.intOrNull("fileMode"), in.intOrNull("uid"),
          in.intOrNull("gid"));
    }
  }

  private static final class DeviceRuleCodec implements JsonCodec<RuntimeSpec.DeviceRule> {
    @Override
    public void write(JsonWriter out, RuntimeSpec.DeviceRule r) throws IOException {
      out.startObject()
          .bool("allow", r.allow())
          .string("type", r.type())
          .number("major", r.major())
          .number("minor", r.minor())
          .string("access", r.access())
          .endObject();
    }

    @Override
    public RuntimeSpec.DeviceRule read(JsonObject in) throws JsonFormatException {
      return new RuntimeSpec.DeviceRule(
          in.bool("allow"), in.string("type"), in.longOrNull("major"), in.longOrNull("minor"),
          in.string("access"));
    }
  }
}
