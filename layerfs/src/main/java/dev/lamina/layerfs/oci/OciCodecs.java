package dev.lamina.layerfs.oci;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON forms of the OCI model, by hand. Each writes the bytes Jackson's data binding writes for
 * its record (fields in declaration order under their {@code @JsonProperty} names, left out by the
 * record's {@code @JsonInclude} rule: NON_EMPTY drops null and empty strings, lists and maps,
 * NON_NULL only null), since image ids and manifest digests are digests of these bytes. Each reads
 * what data binding reads: unknown fields ignored, null as absent, scalars coerced (see {@link
 * JsonObject}), and the record's own checks (a digest's grammar, a size that is not negative)
 * applied, as errors that name the field.
 *
 * <p>A field added to one of these records needs its line in the record's codec too; {@code
 * OciCodecsTest} compares every codec with data binding.
 */
public final class OciCodecs {
  private OciCodecs() {}

  public static final JsonCodec<Platform> PLATFORM = new PlatformCodec();
  public static final JsonCodec<Descriptor> DESCRIPTOR = new DescriptorCodec();
  public static final JsonCodec<Index> INDEX = new IndexCodec();
  public static final JsonCodec<Manifest> MANIFEST = new ManifestCodec();
  public static final JsonCodec<ContainerConfig.Healthcheck> HEALTHCHECK = new HealthcheckCodec();
  public static final JsonCodec<ContainerConfig> CONTAINER_CONFIG = new ContainerConfigCodec();
  public static final JsonCodec<ImageConfig.RootFs> ROOTFS = new RootFsCodec();
  public static final JsonCodec<ImageConfig.History> HISTORY = new HistoryCodec();
  public static final JsonCodec<ImageConfig> IMAGE_CONFIG = new ImageConfigCodec();

  /** The codec of {@code type}, or null for a type this class has none for. */
  @SuppressWarnings("unchecked")
  public static <T> JsonCodec<T> of(Class<T> type) {
    // The records are final: the exact class is the type.
    JsonCodec<?> c;
    if (type == Manifest.class) {
      c = MANIFEST;
    } else if (type == ImageConfig.class) {
      c = IMAGE_CONFIG;
    } else if (type == Index.class) {
      c = INDEX;
    } else if (type == Descriptor.class) {
      c = DESCRIPTOR;
    } else if (type == Platform.class) {
      c = PLATFORM;
    } else if (type == ContainerConfig.class) {
      c = CONTAINER_CONFIG;
    } else if (type == ContainerConfig.Healthcheck.class) {
      c = HEALTHCHECK;
    } else if (type == ImageConfig.RootFs.class) {
      c = ROOTFS;
    } else if (type == ImageConfig.History.class) {
      c = HISTORY;
    } else {
      c = null;
    }
    return (JsonCodec<T>) c;
  }

  private static final class PlatformCodec implements JsonCodec<Platform> {
    @Override
    public void write(JsonWriter out, Platform p) throws IOException {
      out.startObject()
          .string("architecture", nonEmpty(p.architecture()))
          .string("os", nonEmpty(p.os()))
          .string("os.version", nonEmpty(p.osVersion()))
          .strings("os.features", nonEmpty(p.osFeatures()))
          .string("variant", nonEmpty(p.variant()))
          .endObject();
    }

    @Override
    public Platform read(JsonObject in) throws JsonFormatException {
      return new Platform(
          in.string("architecture"),
          in.string("os"),
          in.string("os.version"),
          in.strings("os.features"),
          in.string("variant"));
    }
  }

  private static final class DescriptorCodec implements JsonCodec<Descriptor> {
    @Override
    public void write(JsonWriter out, Descriptor d) throws IOException {
      out.startObject()
          .string("mediaType", nonEmpty(d.mediaType()))
          .string("digest", d.digest().toString())
          .number("size", d.size())
          .strings("urls", nonEmpty(d.urls()))
          .stringMap("annotations", nonEmpty(d.annotations()))
          .binary("data", d.data() == null || d.data().length == 0 ? null : d.data())
          .value("platform", d.platform(), PLATFORM)
          .string("artifactType", nonEmpty(d.artifactType()))
          .endObject();
    }

    @Override
    public Descriptor read(JsonObject in) throws JsonFormatException {
      String mediaType = required(in, "mediaType");
      Digest digest = digest(in, "digest", required(in, "digest"));
      long size = in.longValue("size", 0);
      List<String> urls = strings(in, "urls");
      Map<String, String> annotations = in.stringMap("annotations");
      byte[] data = in.binary("data");
      Platform platform = in.read("platform", PLATFORM);
      String artifactType = in.string("artifactType");
      try {
        return new Descriptor(
            mediaType, digest, size, urls, annotations, data, platform, artifactType);
      } catch (IllegalArgumentException e) {
        throw in.invalid(e.getMessage());
      }
    }
  }

  private static final class IndexCodec implements JsonCodec<Index> {
    @Override
    public void write(JsonWriter out, Index i) throws IOException {
      out.startObject()
          .number("schemaVersion", i.schemaVersion())
          .string("mediaType", nonEmpty(i.mediaType()))
          .string("artifactType", nonEmpty(i.artifactType()))
          .list("manifests", i.manifests(), DESCRIPTOR)
          .value("subject", i.subject(), DESCRIPTOR)
          .stringMap("annotations", nonEmpty(i.annotations()))
          .endObject();
    }

    @Override
    public Index read(JsonObject in) throws JsonFormatException {
      return new Index(
          in.intValue("schemaVersion", 0),
          in.string("mediaType"),
          in.string("artifactType"),
          in.list("manifests", DESCRIPTOR),
          in.read("subject", DESCRIPTOR),
          in.stringMap("annotations"));
    }
  }

  private static final class ManifestCodec implements JsonCodec<Manifest> {
    @Override
    public void write(JsonWriter out, Manifest m) throws IOException {
      out.startObject()
          .number("schemaVersion", m.schemaVersion())
          .string("mediaType", nonEmpty(m.mediaType()))
          .string("artifactType", nonEmpty(m.artifactType()))
          .value("config", m.config(), DESCRIPTOR)
          .list("layers", m.layers(), DESCRIPTOR)
          .value("subject", m.subject(), DESCRIPTOR)
          .stringMap("annotations", nonEmpty(m.annotations()))
          .endObject();
    }

    @Override
    public Manifest read(JsonObject in) throws JsonFormatException {
      int schemaVersion = in.intValue("schemaVersion", 0);
      String mediaType = in.string("mediaType");
      String artifactType = in.string("artifactType");
      Descriptor config = in.read("config", DESCRIPTOR);
      if (config == null) {
        throw in.invalid("config", "missing");
      }
      return new Manifest(
          schemaVersion,
          mediaType,
          artifactType,
          config,
          in.list("layers", DESCRIPTOR),
          in.read("subject", DESCRIPTOR),
          in.stringMap("annotations"));
    }
  }

  private static final class HealthcheckCodec implements JsonCodec<ContainerConfig.Healthcheck> {
    @Override
    public void write(JsonWriter out, ContainerConfig.Healthcheck h) throws IOException {
      out.startObject()
          .strings("Test", h.test())
          .number("Interval", h.interval())
          .number("Timeout", h.timeout())
          .number("StartPeriod", h.startPeriod())
          .number("StartInterval", h.startInterval())
          .number("Retries", h.retries())
          .endObject();
    }

    @Override
    public ContainerConfig.Healthcheck read(JsonObject in) throws JsonFormatException {
      return new ContainerConfig.Healthcheck(
          in.strings("Test"),
          in.longOrNull("Interval"),
          in.longOrNull("Timeout"),
          in.longOrNull("StartPeriod"),
          in.longOrNull("StartInterval"),
          in.intOrNull("Retries"));
    }
  }

  private static final class ContainerConfigCodec implements JsonCodec<ContainerConfig> {
    @Override
    public void write(JsonWriter out, ContainerConfig c) throws IOException {
      out.startObject()
          .string("User", c.user())
          .raw("ExposedPorts", c.exposedPorts())
          .strings("Env", c.env())
          .strings("Entrypoint", c.entrypoint())
          .strings("Cmd", c.cmd())
          .raw("Volumes", c.volumes())
          .string("WorkingDir", c.workingDir())
          .stringMap("Labels", c.labels())
          .string("StopSignal", c.stopSignal())
          .bool("ArgsEscaped", c.argsEscaped())
          .value("Healthcheck", c.healthcheck(), HEALTHCHECK)
          .strings("OnBuild", c.onBuild())
          .strings("Shell", c.shell())
          .endObject();
    }

    @Override
    public ContainerConfig read(JsonObject in) throws JsonFormatException {
      String user = in.string("User");
      Map<String, Map<String, Object>> exposedPorts = objectMap(in, "ExposedPorts");
      List<String> env = strings(in, "Env");
      List<String> entrypoint = strings(in, "Entrypoint");
      List<String> cmd = strings(in, "Cmd");
      Map<String, Map<String, Object>> volumes = objectMap(in, "Volumes");
      String workingDir = in.string("WorkingDir");
      Map<String, String> labels = in.stringMap("Labels");
      String stopSignal = in.string("StopSignal");
      Boolean argsEscaped = in.boolOrNull("ArgsEscaped");
      ContainerConfig.Healthcheck healthcheck = in.read("Healthcheck", HEALTHCHECK);
      List<String> onBuild = strings(in, "OnBuild");
      List<String> shell = strings(in, "Shell");
      return new ContainerConfig(
          user,
          exposedPorts,
          env,
          entrypoint,
          cmd,
          volumes,
          workingDir,
          labels,
          stopSignal,
          argsEscaped,
          healthcheck,
          onBuild,
          shell);
    }
  }

  private static final class RootFsCodec implements JsonCodec<ImageConfig.RootFs> {
    @Override
    public void write(JsonWriter out, ImageConfig.RootFs r) throws IOException {
      List<String> ids = new ArrayList<>(r.diffIds().size());
      for (Digest d : r.diffIds()) {
        ids.add(d.toString());
      }
      out.startObject().string("type", r.type()).strings("diff_ids", ids).endObject();
    }

    @Override
    public ImageConfig.RootFs read(JsonObject in) throws JsonFormatException {
      List<String> texts = in.strings("diff_ids");
      List<Digest> ids = null;
      if (texts != null) {
        ids = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
          String at = "diff_ids[" + i + "]";
          String text = texts.get(i);
          if (text == null) {
            throw in.invalid(at, "null where a digest is needed");
          }
          ids.add(digest(in, at, text));
        }
      }
      return new ImageConfig.RootFs(in.string("type"), ids);
    }
  }

  private static final class HistoryCodec implements JsonCodec<ImageConfig.History> {
    @Override
    public void write(JsonWriter out, ImageConfig.History h) throws IOException {
      out.startObject()
          .string("created", h.created())
          .string("created_by", h.createdBy())
          .string("author", h.author())
          .string("comment", h.comment())
          .bool("empty_layer", h.emptyLayer())
          .endObject();
    }

    @Override
    public ImageConfig.History read(JsonObject in) throws JsonFormatException {
      return new ImageConfig.History(
          in.string("created"),
          in.string("created_by"),
          in.string("author"),
          in.string("comment"),
          in.boolOrNull("empty_layer"));
    }
  }

  private static final class ImageConfigCodec implements JsonCodec<ImageConfig> {
    @Override
    public void write(JsonWriter out, ImageConfig c) throws IOException {
      out.startObject()
          .string("created", c.created())
          .string("author", c.author())
          .string("architecture", c.architecture())
          .string("os", c.os())
          .string("os.version", c.osVersion())
          .strings("os.features", c.osFeatures())
          .string("variant", c.variant())
          .value("config", c.config(), CONTAINER_CONFIG)
          .value("rootfs", c.rootfs(), ROOTFS)
          .list("history", c.history(), HISTORY)
          .endObject();
    }

    @Override
    public ImageConfig read(JsonObject in) throws JsonFormatException {
      String created = in.string("created");
      String author = in.string("author");
      String architecture = in.string("architecture");
      String os = in.string("os");
      String osVersion = in.string("os.version");
      List<String> osFeatures = in.strings("os.features");
      String variant = in.string("variant");
      ContainerConfig config = in.read("config", CONTAINER_CONFIG);
      ImageConfig.RootFs rootfs = in.read("rootfs", ROOTFS);
      List<ImageConfig.History> history = in.list("history", HISTORY);
      return new ImageConfig(
          created,
          author,
          architecture,
          os,
          osVersion,
          osFeatures,
          variant,
          config,
          rootfs,
          history);
    }
  }

  private static String required(JsonObject in, String name) throws JsonFormatException {
    String v = in.string(name);
    if (v == null) {
      throw in.invalid(name, "missing");
    }
    return v;
  }

  private static Digest digest(JsonObject in, String name, String text) throws JsonFormatException {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw in.invalid(name, e.getMessage());
    }
  }

  /** A map of objects ({@code "ExposedPorts": {"80/tcp": {}}}); a null value stays null. */
  private static Map<String, Map<String, Object>> objectMap(JsonObject in, String name)
      throws JsonFormatException {
    JsonObject o = in.object(name);
    if (o == null) {
      return null;
    }
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (String key : o.names()) {
      out.put(key, o.rawObject(key));
    }
    return out;
  }

  /** A list of strings for a record that copies it with List.copyOf, which refuses nulls. */
  private static List<String> strings(JsonObject in, String name) throws JsonFormatException {
    List<String> l = in.strings(name);
    if (l != null) {
      for (int i = 0; i < l.size(); i++) {
        if (l.get(i) == null) {
          throw in.invalid(name + "[" + i + "]", "null where a string is needed");
        }
      }
    }
    return l;
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static <T> List<T> nonEmpty(List<T> l) {
    return l == null || l.isEmpty() ? null : l;
  }

  private static <K, V> Map<K, V> nonEmpty(Map<K, V> m) {
    return m == null || m.isEmpty() ? null : m;
  }
}
