package dev.lamina.cli;

import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.runner.ContainerNetwork;
import dev.lamina.runner.ContainerRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lamina inspect [--type container|image] [-f TEMPLATE] NAME...}: a JSON array describing
 * each container or image, like docker inspect (a name is looked up among containers first, then
 * images), or with {@code -f} a line per one from a Go template (see {@link InspectFormat}).
 */
@Command(name = "inspect", description = "Show details of containers or images as JSON.")
final class InspectCommand extends Inspection {
  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Only look for a container or only for an image.")
  String type;

  @Override
  String type() {
    return type;
  }

  /** {@code lamina image inspect}: {@code inspect --type image}. */
  @Command(name = "inspect", description = "Show details of images as JSON.")
  static final class OfImages extends Inspection {
    @Override
    String type() {
      return "image";
    }
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
