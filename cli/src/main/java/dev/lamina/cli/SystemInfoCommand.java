package dev.lamina.cli;

import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.ContainerState;
import dev.lamina.runner.Containers;
import dev.lamina.runner.network.NetworkDefinition;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.runtime.RuncRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lamina system info [--format json|TEMPLATE]}: the store, the OCI runtime, the kernel,
 * cgroups, networks and whether Lamina runs rootless, as {@code docker info} and {@code podman
 * info} show theirs.
 */
@Command(name = "info", description = "Show the store, runtime, kernel, cgroups, networks and rootless mode.")
final class SystemInfoCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json, or a Go template ({{.Store.Root}}, {{.Runtime.Name}}, {{.Cgroups.Version}}, {{.Rootless}}).")
  String format;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> info = info();
    if ("json".equals(format)) {
      Output.json(info);
    } else if (format != null) {
      // A struct in docker: a field it lacks is an error.
      Output.out().print(FormatOption.render(format, List.of(info), Map.of()));
    } else {
      print(info, "");
    }
    return ExitCodes.OK;
  }

  /** Nested maps as indented {@code Key: value} lines, as podman prints its info. */
  private static void print(Map<String, Object> m, String indent) {
    for (var e : m.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> sub) {
        Output.out().println(indent + e.getKey() + ":");
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) sub;
        print(typed, indent + "  ");
      } else if (e.getValue() instanceof List<?> l) {
        Output.out().println(indent + e.getKey() + ": "
            + String.join(", ", l.stream().map(String::valueOf).toList()));
      } else {
        Output.out().println(indent + e.getKey() + ": " + e.getValue());
      }
    }
  }

  private Map<String, Object> info() throws IOException {
    Path root = store.root();
    Store s = store.open();
    Containers containers = ContainerSupport.open(root);
    List<ContainerRecord> all = containers.list(true);
    long running = all.stream().filter(r -> r.state() == ContainerState.RUNNING).count();
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("Version", Main.version());

    Map<String, Object> st = new LinkedHashMap<>();
    st.put("Root", root.toString());
    st.put("Images", s.images().list().stream().map(i -> i.id()).distinct().count());
    st.put("Containers", all.size());
    st.put("ContainersRunning", running);
    st.put("ContainersStopped", all.size() - running);
    st.put("Volumes", containers.volumes().list().size());
    st.put("GraphDriver", "overlay");
    st.put("EventJournal", dev.lamina.layerfs.events.EventJournal.at(root).file().toString());
    info.put("Store", st);

    Map<String, Object> rt = new LinkedHashMap<>();
    String name = OciRuntimes.configured(root);
    rt.put("Name", name);
    try {
      OciRuntime runtime = OciRuntimes.select(name, root.resolve("runtime"));
      if (runtime instanceof RuncRuntime r) {
        rt.put("Path", r.binary().toString());
        rt.put("Version", firstLine(List.of(r.binary().toString(), "--version")));
      }
    } catch (IOException | IllegalArgumentException e) {
      rt.put("Error", ErrorHandler.oneLine(e));
    }
    info.put("Runtime", rt);

    Map<String, Object> kernel = new LinkedHashMap<>();
    kernel.put("Version", read(Path.of("/proc/sys/kernel/osrelease")));
    kernel.put("OperatingSystem", osName());
    kernel.put("Architecture", Platform.host().architecture());
    kernel.put("CPUs", Runtime.getRuntime().availableProcessors());
    kernel.put("MemTotal", memTotal());
    info.put("Kernel", kernel);

    Map<String, Object> cg = new LinkedHashMap<>();
    cg.put("Version", cgroupVersion(Path.of("/sys/fs/cgroup")));
    cg.put("Driver", "cgroupfs");
    info.put("Cgroups", cg);

    Map<String, Object> net = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    try {
      for (NetworkDefinition d : containers.networks().registry().list()) {
        names.add(d.name());
      }
      // What run and create join without --network: pasta for a user.
      net.put("Default", dev.lamina.runner.ContainerNetwork.defaultMode(
          containers.networks().registry().defaultName()));
    } catch (IOException | RuntimeException e) {
      net.put("Error", ErrorHandler.oneLine(e));
    }
    net.put("Names", names);
    info.put("Networks", net);

    // Inside the user's namespace this process is uid 0, and still rootless.
    info.put("Rootless", Rootless.active());
    return info;
  }

  /**
   * {@code 2} on the unified hierarchy, {@code 1 (hybrid)} when v1 controllers sit beside a v2
   * mount, {@code 1} otherwise.
   */
  static String cgroupVersion(Path cgroupRoot) {
    if (Files.exists(cgroupRoot.resolve("cgroup.controllers"))) {
      return "2";
    }
    return Files.isDirectory(cgroupRoot.resolve("unified")) ? "1 (hybrid)" : "1";
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private static String osName() {
    try {
      for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (l.startsWith("PRETTY_NAME=")) {
          return l.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // Unknown.
    }
    return "";
  }

  private static long memTotal() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unknown.
    }
    return 0;
  }

  private static String firstLine(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("");
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
