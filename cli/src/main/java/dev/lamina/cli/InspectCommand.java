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
 * images), or with {@code -f} a line per one from a Go template (see {@link InspectFormat}).
 */
@Command(name = "inspect", description = "Show details of containers or images as JSON.")
final class InspectCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Only look for a container or only for an image.")
  String type;

  @Mixin InspectFormat format;

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
    format.check();
    Containers c = ContainerSupport.open(store.root());
    ContainerView view = new ContainerView(c, store);
    Store s = null;
    List<Object> out = new ArrayList<>();
    int failed = 0;
    for (String name : names) {
      try {
        if (containers) {
          try {
            out.add(view.inspect(c.inspect(name)));
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
    format.print(out);
    return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }

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
