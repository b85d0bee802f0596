package dev.lamina.cli;

import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerException;
import dev.lamina.runner.ContainerNetwork;
import dev.lamina.runner.network.NetworkSettings;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.ContainerState;
import dev.lamina.runner.Containers;
import dev.lamina.runner.StatusText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina inspect [--type container|image] [-f TEMPLATE] NAME...}: a JSON array describing
 * each container or image, like docker inspect (a name is looked up among containers first, then
 * images), or with {@code -f} a line per one from a Go template ({@link InspectTemplate}).
 */
@Command(name = "inspect", description = "Show details of containers or images as JSON.")
final class InspectCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Only look for a container or only for an image.")
  String type;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "TEMPLATE",
      description = "Print each as a Go template would ({{.State.Status}}, {{json .Config}}).")
  String format;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Container or image names or ids.")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    if (type != null && !type.equals("container") && !type.equals("image")) {
      throw new UserException(
          "unknown --type " + type + " (want container or image)", ExitCodes.USAGE);
    }
    boolean containers = !"image".equals(type);
    boolean images = !"container".equals(type);
    InspectTemplate template = format == null ? null : InspectTemplate.parse(format);
    Containers c = ContainerSupport.open(store.root());
    Store s = null;
    List<Object> out = new ArrayList<>();
    int failed = 0;
    for (String name : names) {
      try {
        if (containers) {
          try {
            out.add(container(c.inspect(name)));
            continue;
          } catch (ContainerException notAContainer) {
            if (!images) {
              throw notAContainer;
            }
          }
        }
        if (s == null) {
          s = store.open();
        }
        out.add(image(s.images().inspect(name)));
      } catch (java.io.IOException e) {
        System.err.println("lamina: " + ErrorHandler.oneLine(e));
        failed++;
      }
    }
    if (template == null) {
      Output.json(out);
    } else {
      out.forEach(o -> Output.out().println(template.apply(o)));
    }
    return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }

  /** A container as docker inspect shows one (the fields Lamina has). */
  /** Docker's HostConfig.NetworkMode: {@code host}, {@code none}, a network's name, {@code container:ID}. */
  static String networkMode(ContainerRecord r) {
    ContainerNetwork n = r.networkMode();
    return switch (n.mode()) {
      case HOST -> "host";
      case NONE -> "none";
      case CONTAINER -> "container:" + n.container();
      case PASTA -> "pasta";
      // As docker and podman name it: the default network is "bridge".
      case BRIDGE -> n.request().allNetworks().equals(List.of(NetworkCommand.defaults().name()))
          ? "bridge"
          : String.join(",", n.request().allNetworks());
    };
  }

  /** Docker's {@code State.Health}. */
  private static Map<String, Object> health(dev.lamina.runner.health.HealthState h) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Status", h.status());
    out.put("FailingStreak", h.failingStreak());
    List<Map<String, Object>> log = new java.util.ArrayList<>();
    for (var c : h.log()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("Start", c.start());
      e.put("End", c.end());
      e.put("ExitCode", c.exitCode());
      e.put("Output", c.output());
      log.add(e);
    }
    out.put("Log", log);
    return out;
  }

  static Map<String, Object> container(ContainerRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", r.id());
    m.put("Created", r.created());
    m.put("Path", r.command().isEmpty() ? null : r.command().get(0));
    m.put("Args", r.command().size() > 1 ? r.command().subList(1, r.command().size()) : List.of());
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", r.state().name().toLowerCase(java.util.Locale.ROOT));
    state.put("Running", r.state() == ContainerState.RUNNING);
    state.put("Paused", r.paused());
    state.put("OOMKilled", r.oomKilled());
    state.put("ExitCode", r.exitCode());
    state.put("Error", r.error() == null ? "" : r.error());
    state.put("StartedAt", r.startedAt());
    state.put("FinishedAt", r.finishedAt());
    state.put("LogDroppedBytes", r.logDroppedBytes());
    if (r.health() != null) {
      state.put("Health", health(r.health()));
    }
    m.put("State", state);
    m.put("Image", r.imageId());
    m.put("ImageName", r.image());
    m.put("Name", r.name());
    m.put("Status", StatusText.of(r, java.time.Instant.now()));
    m.put("RestartCount", r.restartCount());
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("Runtime", r.runtime());
    host.put("AutoRemove", r.autoRemove());
    host.put("Memory", r.memoryLimit() == null ? 0 : r.memoryLimit());
    host.put(
        "RestartPolicy",
        Map.of("Name", r.restart().name(), "MaximumRetryCount", r.restart().maxRetries()));
    m.put("HostConfig", host);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("Hostname", r.hostname());
    config.put("StopSignal", r.stopSignal());
    config.put("OpenStdin", r.openStdin());
    config.put("Labels", r.labels());
    if (r.stopTimeout() != null) {
      config.put("StopTimeout", r.stopTimeout());
    }
    if (r.healthcheck() != null) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("Test", r.healthcheck().test());
      h.put("Interval", r.healthcheck().intervalNanos());
      h.put("Timeout", r.healthcheck().timeoutNanos());
      h.put("StartPeriod", r.healthcheck().startPeriodNanos());
      h.put("Retries", r.healthcheck().retries());
      config.put("Healthcheck", h);
    }
    m.put("Config", config);
    m.put("Volumes", r.volumes());
    host.put("NetworkMode", networkMode(r));
    m.put(
        "NetworkSettings",
        new NetworkSettings(
                r.networkStatus() == null
                    ? new NetworkStatus(List.of(), List.of())
                    : r.networkStatus(),
                List.of())
            .toDocker());
    return m;
  }

  static Map<String, Object> image(ImageDetails d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", d.image().id().toString());
    m.put("Digest", d.image().digest().toString());
    m.put("RepoTags", d.image().names());
    m.put("MediaType", d.image().target().mediaType());
    ImageConfig c = d.config();
    if (c != null) {
      m.put("Created", c.created());
      m.put("Author", c.author());
      m.put("Architecture", c.architecture());
      m.put("Os", c.os());
      if (c.variant() != null) {
        m.put("Variant", c.variant());
      }
      m.put("Config", c.config());
      m.put("RootFS", c.rootfs());
      m.put("History", c.history());
    }
    if (d.manifest() != null) {
      List<Map<String, Object>> layers = new ArrayList<>();
      long size = d.manifest().config().size();
      for (Descriptor l : d.manifest().layers()) {
        Map<String, Object> lm = new LinkedHashMap<>();
        lm.put("Digest", l.digest().toString());
        lm.put("MediaType", l.mediaType());
        lm.put("Size", l.size());
        layers.add(lm);
        size += l.size();
      }
      m.put("Layers", layers);
      m.put("Size", size);
      m.put("ManifestDigest", d.manifestDescriptor().digest().toString());
    }
    if (d.index() != null) {
      m.put("Manifests", d.index().manifests());
    }
    return m;
  }
}
