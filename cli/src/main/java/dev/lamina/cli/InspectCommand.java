package dev.lamina.cli;

import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lamina inspect IMAGE...}: a JSON array describing each image, like docker inspect. */
@Command(name = "inspect", description = "Show details of images as JSON.")
final class InspectCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Image names or ids.")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    Store s = store.open();
    List<Object> out = new ArrayList<>();
    for (String name : names) {
      out.add(image(s.images().inspect(name)));
    }
    Output.json(out);
    return ExitCodes.OK;
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
