package dev.lamina.layerfs.oci;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The codecs against Jackson's data binding of the same records, which they replace: the same bytes
 * written for the same value, the same value read from the same document, and a refusal where data
 * binding refuses.
 */
class OciCodecsTest {
  private static final ObjectMapper DATABIND = Json.mapper();
  private static final Digest D1 = Digest.sha256("one");
  private static final Digest D2 = Digest.sha256("two");
  private static final Digest D512 = Digest.of(DigestAlgorithm.SHA512, new byte[] {1}, 0, 1);
  private static final byte[] EMPTY_JSON = "{}".getBytes(UTF_8);

  @SuppressWarnings("unchecked")
  private static <T> JsonCodec<T> codec(Class<?> type) {
    JsonCodec<T> c = (JsonCodec<T>) OciCodecs.of(type);
    assertNotNull(c, type.getName());
    return c;
  }

  private static void assertWritesLikeDatabind(Object value) throws IOException {
    String want = new String(DATABIND.writeValueAsBytes(value), UTF_8);
    String got = new String(JsonWriter.toBytes(value, codec(value.getClass())), UTF_8);
    assertEquals(want, got);
    assertEquals(want, new String(Json.toBytes(value), UTF_8), "Json.toBytes");
  }

  /**
   * Reads {@code json} as {@code type} both ways: data binding refuses it and so does the codec
   * (with a {@link IOException}, never another exception), or both read equal values that are
   * written alike.
   */
  private static <T> void assertReadsLikeDatabind(String json, Class<T> type) throws IOException {
    byte[] bytes = json.getBytes(UTF_8);
    T want = null;
    IOException refused = null;
    try {
      want = DATABIND.readValue(bytes, type);
    } catch (IOException e) {
      refused = e;
    }
    T got = null;
    IOException codecRefused = null;
    try {
      got = JsonObject.read(bytes, codec(type));
    } catch (IOException e) {
      codecRefused = e;
    }
    if (refused != null) {
      if (codecRefused == null) {
        fail("data binding refuses (" + refused.getMessage() + ") what the codec reads: " + json);
      }
      return;
    }
    if (codecRefused != null) {
      fail(
          "the codec refuses (" + codecRefused.getMessage() + ") what data binding reads: " + json);
    }
    assertEquals(want, got, json);
    assertEquals(
        new String(DATABIND.writeValueAsBytes(want), UTF_8),
        new String(JsonWriter.toBytes(got, codec(type)), UTF_8),
        json);
  }

  // ---- writing: hand-made edge values

  @Test
  void of_knowsEachRecordOfTheModel() {
    assertSame(OciCodecs.MANIFEST, OciCodecs.of(Manifest.class));
    assertSame(OciCodecs.INDEX, OciCodecs.of(Index.class));
    assertSame(OciCodecs.IMAGE_CONFIG, OciCodecs.of(ImageConfig.class));
    assertSame(OciCodecs.CONTAINER_CONFIG, OciCodecs.of(ContainerConfig.class));
    assertSame(OciCodecs.HEALTHCHECK, OciCodecs.of(ContainerConfig.Healthcheck.class));
    assertSame(OciCodecs.ROOTFS, OciCodecs.of(ImageConfig.RootFs.class));
    assertSame(OciCodecs.HISTORY, OciCodecs.of(ImageConfig.History.class));
    assertSame(OciCodecs.DESCRIPTOR, OciCodecs.of(Descriptor.class));
    assertSame(OciCodecs.PLATFORM, OciCodecs.of(Platform.class));
    assertNull(OciCodecs.of(String.class));
    assertNull(OciCodecs.of(Object.class));
  }

  @Test
  void platform_writesLikeDatabind() throws IOException {
    assertWritesLikeDatabind(new Platform(null, null, null, null, null));
    assertWritesLikeDatabind(new Platform("", "", "", List.of(), ""));
    assertWritesLikeDatabind(Platform.parse("linux/arm64/v8"));
    assertWritesLikeDatabind(
        new Platform("amd64", "windows", "10.0.17763.5206", List.of("win32k", "é"), null));
    assertWritesLikeDatabind(new Platform("amd64", "linux", null, Arrays.asList("a", null), null));
  }

  @Test
  void descriptor_writesLikeDatabind() throws IOException {
    assertWritesLikeDatabind(Descriptor.of(MediaType.OCI_LAYER_GZIP, D1, 0));
    assertWritesLikeDatabind(Descriptor.of("", D1, Long.MAX_VALUE));
    assertWritesLikeDatabind(Descriptor.of(MediaType.DOCKER_FOREIGN_LAYER_GZIP, D512, 3));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("z", "last");
    annotations.put(Descriptor.REF_NAME, "1.0");
    annotations.put("a", null);
    annotations.put("É", "\u0000\u001f\"\\/\u2028\uD83D\uDE00");
    annotations.put("", "");
    assertWritesLikeDatabind(
        new Descriptor(
            MediaType.OCI_MANIFEST,
            D1,
            7,
            List.of("https://example.com/a", ""),
            annotations,
            null,
            new Platform("arm", "linux", null, List.of("f"), "v7"),
            "application/x.artifact"));
    assertWritesLikeDatabind(
        new Descriptor(
            MediaType.OCI_EMPTY,
            Digest.sha256(EMPTY_JSON),
            2,
            List.of(),
            Map.of(),
            EMPTY_JSON,
            new Platform(null, null, null, null, null),
            ""));
    assertWritesLikeDatabind(
        new Descriptor("x", Digest.sha256(new byte[0]), 0, null, null, new byte[0], null, null));
    byte[] data = new byte[256];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    assertWritesLikeDatabind(
        new Descriptor("x", Digest.sha256(data), 256, null, null, data, null, null));
  }

  @Test
  void index_writesLikeDatabind() throws IOException {
    assertWritesLikeDatabind(Index.of(List.of()));
    assertWritesLikeDatabind(new Index(0, null, null, null, null, null));
    assertWritesLikeDatabind(new Index(2, "", "", List.of(), null, Map.of()));
    assertWritesLikeDatabind(
        new Index(
            2,
            MediaType.DOCKER_MANIFEST_LIST,
            null,
            List.of(
                Descriptor.of(MediaType.DOCKER_MANIFEST, D1, 528)
                    .withPlatform(Platform.parse("linux/amd64")),
                Descriptor.of(MediaType.DOCKER_MANIFEST, D2, 529)
                    .withPlatform(Platform.parse("linux/arm/v7"))),
            null,
            null));
    assertWritesLikeDatabind(
        new Index(
            2,
            MediaType.OCI_INDEX,
            "application/x.sbom",
            List.of(Descriptor.of(MediaType.OCI_MANIFEST, D1, 1).withAnnotation("k", "v")),
            Descriptor.of(MediaType.OCI_MANIFEST, D2, 9),
            Map.of("b", "2", "a", "1")));
  }

  @Test
  void manifest_writesLikeDatabind() throws IOException {
    Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, D1, 100);
    assertWritesLikeDatabind(Manifest.oci(config, List.of()));
    assertWritesLikeDatabind(new Manifest(0, null, null, config, null, null, null));
    assertWritesLikeDatabind(new Manifest(2, "", "", config, List.of(), null, Map.of()));
    assertWritesLikeDatabind(
        new Manifest(
            2,
            MediaType.DOCKER_MANIFEST,
            null,
            Descriptor.of(MediaType.DOCKER_CONFIG, D1, 1469),
            List.of(
                Descriptor.of(MediaType.DOCKER_LAYER_GZIP, D2, 3_000_000_000L),
                new Descriptor(
                    MediaType.DOCKER_FOREIGN_LAYER_GZIP,
                    D512,
                    5,
                    List.of("https://go.microsoft.com/fwlink/?linkid=837858"),
                    null,
                    null,
                    null,
                    null)),
            null,
            null));
    assertWritesLikeDatabind(
        new Manifest(
            2,
            MediaType.OCI_MANIFEST,
            "application/vnd.example+type",
            new Descriptor(
                MediaType.OCI_EMPTY,
                Digest.sha256(EMPTY_JSON),
                2,
                null,
                null,
                EMPTY_JSON,
                null,
                null),
            List.of(Descriptor.of("application/x.blob", D1, 1)),
            Descriptor.of(MediaType.OCI_MANIFEST, D2, 2),
            Map.of("org.opencontainers.image.created", "2026-01-01T00:00:00Z")));
  }

  @Test
  void imageConfig_writesLikeDatabind() throws IOException {
    assertWritesLikeDatabind(ImageConfig.empty("2026-01-01T00:00:00Z"));
    assertWritesLikeDatabind(
        new ImageConfig(null, null, null, null, null, null, null, null, null, null));
    assertWritesLikeDatabind(
        new ImageConfig(
            "",
            "",
            "",
            "",
            "",
            List.of(),
            "",
            ContainerConfig.EMPTY,
            new ImageConfig.RootFs(null, null),
            List.of()));
    Map<String, Map<String, Object>> ports = new LinkedHashMap<>();
    ports.put("8080/tcp", Map.of());
    ports.put("53/udp", null);
    ports.put("443/tcp", new LinkedHashMap<>());
    ContainerConfig full =
        new ContainerConfig(
            "1000:1000",
            ports,
            List.of("PATH=/usr/bin", "LANG=C.UTF-8", "UNICODE=ü中😀"),
            List.of("/docker-entrypoint.sh"),
            List.of("nginx", "-g", "daemon off;"),
            Map.of("/data", Map.of(), "/var/log", Map.of()),
            "/srv",
            Map.of("maintainer", "NGINX <docker-maint@nginx.com>", "empty", ""),
            "SIGQUIT",
            true,
            new ContainerConfig.Healthcheck(
                List.of("CMD-SHELL", "curl -f http://localhost/ || exit 1"),
                30_000_000_000L,
                5_000_000_000L,
                0L,
                null,
                3),
            List.of("RUN echo onbuild"),
            List.of("/bin/bash", "-c"));
    assertWritesLikeDatabind(full);
    assertWritesLikeDatabind(
        new ImageConfig(
            "2024-11-26T18:42:08.123456789Z",
            "someone",
            "arm64",
            "linux",
            "10.0",
            List.of("win32k"),
            "v8",
            full,
            new ImageConfig.RootFs("layers", List.of(D1, D2, D512)),
            List.of(
                new ImageConfig.History("2024-01-01T00:00:00Z", "ADD x /", null, null, null),
                new ImageConfig.History(null, "CMD [\"sh\"]", "a", "buildkit", true),
                new ImageConfig.History("", "", "", "", false))));
  }

  @Test
  void containerConfig_writesLikeDatabind() throws IOException {
    assertWritesLikeDatabind(ContainerConfig.EMPTY);
    ContainerConfig emptyLists =
        ContainerConfig.EMPTY.toBuilder()
            .env(List.of())
            .entrypoint(List.of())
            .cmd(List.of())
            .onBuild(List.of())
            .shell(List.of())
            .exposedPorts(Map.of())
            .volumes(Map.of())
            .labels(Map.of())
            .user("")
            .workingDir("")
            .stopSignal("")
            .argsEscaped(false)
            .build();
    assertWritesLikeDatabind(emptyLists);
    Map<String, Object> odd = new LinkedHashMap<>();
    odd.put("zeta", null);
    odd.put("list", Arrays.asList(1, 2L, null, "s", 1.5, true, Map.of("b", 1, "a", 2)));
    odd.put("big", new BigInteger("123456789012345678901234567890"));
    odd.put("dec", new BigDecimal("1.50"));
    odd.put("float", 2.5f);
    odd.put("nested", Map.of("y", Map.of(), "x", List.of()));
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("k", null);
    assertWritesLikeDatabind(
        ContainerConfig.EMPTY.toBuilder()
            .exposedPorts(Map.of("80/tcp", odd))
            .labels(labels)
            .healthcheck(new ContainerConfig.Healthcheck(null, null, null, null, null, null))
            .build());
    assertWritesLikeDatabind(
        new ContainerConfig.Healthcheck(List.of(), -1L, Long.MAX_VALUE, 0L, 1L, -5));
    assertWritesLikeDatabind(
        new ContainerConfig.Healthcheck(Arrays.asList("NONE", null), null, null, null, null, 0));
  }

  @Test
  void rootFsAndHistory_writeLikeDatabind() throws IOException {
    assertWritesLikeDatabind(new ImageConfig.RootFs(null, null));
    assertWritesLikeDatabind(new ImageConfig.RootFs("", List.of(D512, D1)));
    assertWritesLikeDatabind(new ImageConfig.History(null, null, null, null, null));
    assertWritesLikeDatabind(new ImageConfig.History("c", "b", "a", "x", false));
  }

  @Test
  void loneSurrogates_writeLikeDatabind() throws IOException {
    assertWritesLikeDatabind(
        Descriptor.of("\uD800x\uDC00", D1, 1).withAnnotation("\uDFFF", "\uD83D"));
  }

  // ---- writing and reading: random values

  @Test
  void randomValues_writeAndReadLikeDatabind() throws IOException {
    for (long seed = 0; seed < 200; seed++) {
      Gen g = new Gen(new Random(seed));
      List<Object> values =
          List.of(
              g.platform(),
              g.descriptor(),
              g.index(),
              g.manifest(),
              g.imageConfig(),
              g.containerConfig(),
              g.healthcheck(),
              g.history(),
              g.rootFs());
      for (Object v : values) {
        try {
          assertWritesLikeDatabind(v);
          String json = new String(DATABIND.writeValueAsBytes(v), UTF_8);
          assertReadsLikeDatabind(json, v.getClass());
          String perturbed = g.perturb(json);
          assertReadsLikeDatabind(perturbed, v.getClass());
        } catch (AssertionError e) {
          throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /** Random values of the model, and documents perturbed as other writers write them. */
  private static final class Gen {
    private static final String CHARS =
        "abcXYZ019 ._-/:@+=\"\\\u0000\u0007\n\t\u001f\u007fé中\u2028\uD83D\uDE00";
    private final Random r;

    Gen(Random r) {
      this.r = r;
    }

    String str() {
      int n = r.nextInt(6);
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        char c = CHARS.charAt(r.nextInt(CHARS.length()));
        if (Character.isHighSurrogate(c)) {
          b.append("\uD83D\uDE00");
        } else if (!Character.isLowSurrogate(c)) {
          b.append(c);
        }
      }
      return b.toString();
    }

    String maybe() {
      int k = r.nextInt(10);
      return k < 3 ? null : k < 4 ? "" : str();
    }

    List<String> strs() {
      int k = r.nextInt(10);
      if (k < 3) {
        return null;
      }
      List<String> l = new ArrayList<>();
      for (int i = r.nextInt(4); i > 0; i--) {
        l.add(str());
      }
      return l;
    }

    Map<String, String> strMap() {
      if (r.nextInt(3) == 0) {
        return null;
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = r.nextInt(4); i > 0; i--) {
        m.put(str(), r.nextInt(8) == 0 ? null : str());
      }
      return m;
    }

    Digest digest() {
      byte[] b = new byte[4];
      r.nextBytes(b);
      return r.nextInt(5) == 0
          ? Digest.of(DigestAlgorithm.SHA512, b, 0, b.length)
          : Digest.sha256(b);
    }

    Platform platform() {
      return new Platform(maybe(), maybe(), maybe(), strs(), maybe());
    }

    Descriptor descriptor() {
      byte[] data = null;
      long size = r.nextInt(3) == 0 ? r.nextLong() & Long.MAX_VALUE : r.nextInt(1000);
      Digest digest = digest();
      if (r.nextInt(4) == 0) {
        data = new byte[r.nextInt(5)];
        r.nextBytes(data);
        size = data.length;
        digest = Digest.sha256(data);
      }
      return new Descriptor(
          r.nextInt(6) == 0 ? "" : str(),
          digest,
          size,
          strs(),
          strMap(),
          data,
          r.nextBoolean() ? null : platform(),
          maybe());
    }

    List<Descriptor> descriptors() {
      if (r.nextInt(5) == 0) {
        return null;
      }
      List<Descriptor> l = new ArrayList<>();
      for (int i = r.nextInt(4); i > 0; i--) {
        l.add(descriptor());
      }
      return l;
    }

    Index index() {
      return new Index(
          r.nextInt(4) - 1,
          maybe(),
          maybe(),
          descriptors(),
          r.nextBoolean() ? null : descriptor(),
          strMap());
    }

    Manifest manifest() {
      return new Manifest(
          r.nextInt(4) - 1,
          maybe(),
          maybe(),
          descriptor(),
          descriptors(),
          r.nextBoolean() ? null : descriptor(),
          strMap());
    }

    Long maybeLong() {
      return r.nextInt(3) == 0 ? null : r.nextInt(3) == 0 ? r.nextLong() : (long) r.nextInt(100);
    }

    ContainerConfig.Healthcheck healthcheck() {
      return new ContainerConfig.Healthcheck(
          strs(),
          maybeLong(),
          maybeLong(),
          maybeLong(),
          maybeLong(),
          r.nextInt(3) == 0 ? null : r.nextInt());
    }

    Object raw(int depth) {
      switch (r.nextInt(depth > 2 ? 8 : 10)) {
        case 0:
          return null;
        case 1:
          return str();
        case 2:
          return r.nextInt();
        case 3:
          return r.nextLong();
        case 4:
          return r.nextBoolean();
        case 5:
          return r.nextInt(2) == 0 ? r.nextDouble() * 1e6 : (double) r.nextInt(100);
        case 6:
          return new BigInteger(80, r).add(BigInteger.valueOf(Long.MAX_VALUE));
        case 7:
          return new BigDecimal(r.nextInt(100000)).movePointLeft(2);
        case 8:
          List<Object> l = new ArrayList<>();
          for (int i = r.nextInt(3); i > 0; i--) {
            l.add(raw(depth + 1));
          }
          return l;
        default:
          return rawMap(depth + 1);
      }
    }

    Map<String, Object> rawMap(int depth) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = r.nextInt(3); i > 0 && depth < 3; i--) {
        m.put(str(), raw(depth));
      }
      return m;
    }

    Map<String, Map<String, Object>> ports() {
      if (r.nextInt(3) == 0) {
        return null;
      }
      Map<String, Map<String, Object>> m = new LinkedHashMap<>();
      for (int i = r.nextInt(3); i > 0; i--) {
        m.put(r.nextInt(65536) + "/tcp", r.nextInt(3) == 0 ? rawMap(1) : Map.of());
      }
      return m;
    }

    ContainerConfig containerConfig() {
      return new ContainerConfig(
          maybe(),
          ports(),
          strs(),
          strs(),
          strs(),
          ports(),
          maybe(),
          strMap(),
          maybe(),
          r.nextInt(3) == 0 ? null : r.nextBoolean(),
          r.nextBoolean() ? null : healthcheck(),
          strs(),
          strs());
    }

    ImageConfig.History history() {
      return new ImageConfig.History(
          maybe(), maybe(), maybe(), maybe(), r.nextInt(3) == 0 ? null : r.nextBoolean());
    }

    ImageConfig.RootFs rootFs() {
      List<Digest> ids = new ArrayList<>();
      for (int i = r.nextInt(4); i > 0; i--) {
        ids.add(digest());
      }
      return new ImageConfig.RootFs(maybe(), r.nextInt(4) == 0 ? null : ids);
    }

    ImageConfig imageConfig() {
      List<ImageConfig.History> history = null;
      if (r.nextBoolean()) {
        history = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          history.add(history());
        }
      }
      return new ImageConfig(
          maybe(),
          maybe(),
          maybe(),
          maybe(),
          maybe(),
          strs(),
          maybe(),
          r.nextInt(4) == 0 ? null : containerConfig(),
          r.nextInt(4) == 0 ? null : rootFs(),
          history);
    }

    /**
     * {@code json} as another writer might have written it: fields in another order, unknown
     * fields, numbers and booleans as strings.
     */
    String perturb(String json) throws IOException {
      return DATABIND.writeValueAsString(perturb(DATABIND.readTree(json), true));
    }

    private JsonNode perturb(JsonNode n, boolean typed) {
      if (n.isObject()) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          fields.add(it.next());
        }
        Collections.shuffle(fields, r);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> f : fields) {
          // Values of raw maps (ExposedPorts' {}) are Objects: only change typed fields.
          boolean raw = f.getKey().equals("ExposedPorts") || f.getKey().equals("Volumes");
          out.set(f.getKey(), perturb(f.getValue(), typed && !raw));
          if (r.nextInt(4) == 0) {
            out.set("x-unknown-" + r.nextInt(1000), unknownValue());
          }
        }
        return out;
      }
      if (n.isArray()) {
        var out = JsonNodeFactory.instance.arrayNode();
        n.forEach(e -> out.add(perturb(e, typed)));
        return out;
      }
      if (typed && (n.isNumber() || n.isBoolean()) && r.nextInt(3) == 0) {
        return TextNode.valueOf(n.asText());
      }
      return n;
    }

    private JsonNode unknownValue() {
      var f = JsonNodeFactory.instance;
      switch (r.nextInt(5)) {
        case 0:
          return f.nullNode();
        case 1:
          return f.numberNode(r.nextDouble());
        case 2:
          return f.arrayNode().add(str()).add(f.objectNode().put("a", 1));
        case 3:
          return f.objectNode().set("deep", f.objectNode().set("deeper", f.arrayNode()));
        default:
          return f.textNode(str());
      }
    }
  }

  // ---- reading: real-world documents

  private static String real(String json) {
    return json.replace("$D1", D1.toString())
        .replace("$D2", D2.toString())
        .replace("$D512", D512.toString())
        .replace("$EMPTY", Digest.sha256(EMPTY_JSON).toString());
  }

  @Test
  void dockerConfigs_readLikeDatabind() throws IOException {
    // docker build (the legacy builder): nulls for unset lists and maps, container_config.
    assertReadsLikeDatabind(
        real(
            """
            {"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"",
            "AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,
            "OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"$D1",
            "Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},
            "container":"2b2a0a1f5fd1","container_config":{"Hostname":"2b2a0a1f5fd1",
            "Cmd":["/bin/sh","-c","#(nop) ","CMD [\\"/bin/sh\\"]"],"Labels":{}},
            "created":"2023-08-07T19:20:20.894140623Z","docker_version":"20.10.23",
            "history":[{"created":"2023-08-07T19:20:20.71894984Z",
            "created_by":"/bin/sh -c #(nop) ADD file:32ff5e7a in / "},
            {"created":"2023-08-07T19:20:20.894140623Z",
            "created_by":"/bin/sh -c #(nop)  CMD [\\"/bin/sh\\"]","empty_layer":true}],
            "os":"linux","rootfs":{"type":"layers","diff_ids":["$D2"]}}
            """),
        ImageConfig.class);
    // BuildKit: ArgsEscaped, ExposedPorts, Healthcheck in nanoseconds, escaped <>.
    assertReadsLikeDatabind(
        real(
            """
{"architecture":"arm64","variant":"v8","config":{"ExposedPorts":{"80/tcp":{}},
"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
"NGINX_VERSION=1.27.3"],"Entrypoint":["/docker-entrypoint.sh"],
"Cmd":["nginx","-g","daemon off;"],"WorkingDir":"/",
"Labels":{"maintainer":"NGINX Docker Maintainers \\u003cdocker-maint@nginx.com\\u003e"},
"StopSignal":"SIGQUIT","ArgsEscaped":true,"Healthcheck":{"Test":["CMD-SHELL",
"curl -f http://localhost/ || exit 1"],"Interval":30000000000,"Timeout":3000000000,
"StartPeriod":5000000000,"StartInterval":1000000000,"Retries":3},
"Volumes":{"/var/cache/nginx":{}},"OnBuild":["RUN make"],"Shell":["/bin/bash","-c"]},
"created":"2024-11-26T18:42:08Z","history":[{"created":"2024-11-26T18:42:08Z",
"created_by":"CMD [\\"nginx\\" \\"-g\\" \\"daemon off;\\"]",
"comment":"buildkit.dockerfile.v0","empty_layer":true}],"os":"linux",
"rootfs":{"type":"layers","diff_ids":["$D1","$D2"]}}
"""),
        ImageConfig.class);
    // Windows: os.version, os.features; numbers where strings are wanted and the reverse.
    assertReadsLikeDatabind(
        real(
            """
            {"architecture":"amd64","os":"windows","os.version":"10.0.17763.5206",
            "os.features":["win32k"],"author":12,"config":{"User":1000,"Env":["A=1"],
            "Healthcheck":{"Interval":"30000000000","Retries":"3","Timeout":1.5e9},
            "ArgsEscaped":"true","Labels":{"n":1,"b":false,"f":1.50}},
            "rootfs":{"type":"layers","diff_ids":[]},"history":[{"empty_layer":1},
            {"empty_layer":"False"},{"empty_layer":null,"created":null}]}
            """),
        ImageConfig.class);
    assertReadsLikeDatabind("{}", ImageConfig.class);
    assertReadsLikeDatabind(
        "{\"config\":null,\"rootfs\":null,\"history\":null}", ImageConfig.class);
    assertReadsLikeDatabind(
        "{\"config\":{\"ExposedPorts\":{\"80/tcp\":null,\"1/udp\":{\"a\":[1,2.5,\"x\",null,"
            + "{\"b\":99999999999999999999}]}}}}",
        ImageConfig.class);
  }

  @Test
  void manifestsAndIndexes_readLikeDatabind() throws IOException {
    assertReadsLikeDatabind(
        real(
            """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
            "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,
            "digest":"$D1"},"layers":[{"mediaType":
            "application/vnd.docker.image.rootfs.diff.tar.gzip","size":3401613,"digest":"$D2"},
            {"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            "size":1718332879,"digest":"$D512",
            "urls":["https://mcr.microsoft.com/v2/windows/servercore/blobs/x"]}]}
            """),
        Manifest.class);
    assertReadsLikeDatabind(
        real(
            """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "artifactType":"application/vnd.example.sbom.v1","config":{"mediaType":
            "application/vnd.oci.empty.v1+json","digest":"$EMPTY","size":2,"data":"e30="},
            "layers":[{"mediaType":"application/spdx+json","digest":"$D1","size":"12",
            "annotations":{"org.opencontainers.image.title":"sbom.spdx.json"}}],
            "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "digest":"$D2","size":7682},"annotations":{"org.opencontainers.image.created":
            "2024-01-01T00:00:00Z"}}
            """),
        Manifest.class);
    assertReadsLikeDatabind(
        real(
            """
            {"manifests":[{"digest":"$D1","mediaType":
            "application/vnd.docker.distribution.manifest.v2+json","platform":
            {"architecture":"amd64","os":"linux"},"size":528},{"digest":"$D2","mediaType":
            "application/vnd.docker.distribution.manifest.v2+json","platform":{"architecture":
            "arm","os":"linux","variant":"v7"},"size":528},{"digest":"$D512","mediaType":
            "application/vnd.docker.distribution.manifest.v2+json","platform":{"architecture":
            "amd64","os":"windows","os.version":"10.0.17763.5206","os.features":["win32k"]},
            "size":1125}],"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
            "schemaVersion":2}
            """),
        Index.class);
    // BuildKit's index with an attestation manifest; an OCI layout's index.json with names.
    assertReadsLikeDatabind(
        real(
            """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
            "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "digest":"$D1","size":1234,"annotations":{"com.docker.official-images.bashbrew.arch":
            "amd64","org.opencontainers.image.base.name":"scratch"},"platform":{"architecture":
            "amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "digest":"$D2","size":840,"annotations":{"vnd.docker.reference.digest":"$D1",
            "vnd.docker.reference.type":"attestation-manifest"},"platform":{"architecture":
            "unknown","os":"unknown"}}]}
            """),
        Index.class);
    assertReadsLikeDatabind(
        real(
            """
            {"schemaVersion":2,"manifests":[{"mediaType":
            "application/vnd.oci.image.manifest.v1+json","digest":"$D1","size":402,
            "annotations":{"org.opencontainers.image.ref.name":"alpine:3.20"}},{"mediaType":
            "application/vnd.oci.image.index.v1+json","digest":"$D2","size":9218,
            "annotations":{"org.opencontainers.image.ref.name":"nginx:latest"}}]}
            """),
        Index.class);
  }

  @Test
  void duplicateKeys_lastWins() throws IOException {
    // Data binding too, as long as not every field of the record came before the repeat.
    assertReadsLikeDatabind(
        real("{\"mediaType\":\"a\",\"size\":1,\"digest\":\"$D1\",\"size\":2,\"mediaType\":\"b\"}"),
        Descriptor.class);
    assertReadsLikeDatabind(
        "{\"config\":{\"Cmd\":[\"a\"],\"Cmd\":null,\"Env\":null,\"Env\":[\"X=1\"]},"
            + "\"os\":\"a\",\"os\":\"b\"}",
        ImageConfig.class);
    // Data binding refuses a repeat after every field was seen; the codec takes the last.
    Platform p =
        JsonObject.read(
            ("{\"architecture\":\"x\",\"os\":\"a\",\"os.version\":\"v\",\"os.features\":[],"
                    + "\"variant\":\"q\",\"os\":\"b\"}")
                .getBytes(UTF_8),
            OciCodecs.PLATFORM);
    assertEquals(new Platform("x", "b", "v", List.of(), "q"), p);
  }

  // ---- reading: every field against values of every JSON type

  private static final List<String> VALUES =
      List.of(
          "null",
          "\"\"",
          "\" \"",
          "\"null\"",
          "\"abc\"",
          "\"12\"",
          "\" 12 \"",
          "\"+12\"",
          "\"-3\"",
          "\"1.5\"",
          "\"true\"",
          "\"True\"",
          "\"TRUE\"",
          "\" false \"",
          "\"0\"",
          "\"1\"",
          "\"99999999999\"",
          "12",
          "-0",
          "0",
          "1",
          "2",
          "-7",
          "1.5",
          "1e3",
          "2.0",
          "-1.5",
          "1E-2",
          "1e300",
          "2147483648",
          "99999999999",
          "9223372036854775808",
          "99999999999999999999",
          "true",
          "false",
          "[]",
          "[\"a\"]",
          "[1]",
          "[null]",
          "[1.5]",
          "[true]",
          "[[]]",
          "[{}]",
          "[\"a\",null]",
          "{}",
          "{\"a\":1}",
          "{\"a\":null}",
          "{\"a\":{}}",
          "\"AQID\"",
          "\"AQI\"",
          "\"AQ ID\"",
          "\"$D1\"",
          "\"sha256:ABC\"",
          "[\"$D1\"]",
          "[\"$D1\",\"x\"]",
          "[1,2,3]",
          "[1,256]",
          "[\"1\",null,2.5]");

  /** Documents with one field's value left as {@code %s}. */
  private static final Map<String, Class<?>> FIELDS = new LinkedHashMap<>();

  static {
    String desc = "\"mediaType\":\"m\",\"digest\":\"$D1\",\"size\":0";
    String data =
        "\"mediaType\":\"m\",\"digest\":\"" + Digest.sha256(new byte[] {1, 2, 3}) + "\",\"size\":3";
    FIELDS.put("{\"digest\":\"$D1\",\"size\":0,\"mediaType\":%s}", Descriptor.class);
    FIELDS.put("{\"mediaType\":\"m\",\"size\":0,\"digest\":%s}", Descriptor.class);
    FIELDS.put("{\"mediaType\":\"m\",\"digest\":\"$D1\",\"size\":%s}", Descriptor.class);
    FIELDS.put("{" + desc + ",\"urls\":%s}", Descriptor.class);
    FIELDS.put("{" + desc + ",\"annotations\":%s}", Descriptor.class);
    FIELDS.put("{" + desc + ",\"annotations\":{\"k\":%s}}", Descriptor.class);
    FIELDS.put("{" + data + ",\"data\":%s}", Descriptor.class);
    FIELDS.put("{" + desc + ",\"platform\":%s}", Descriptor.class);
    FIELDS.put("{" + desc + ",\"artifactType\":%s}", Descriptor.class);
    FIELDS.put("{\"architecture\":%s}", Platform.class);
    FIELDS.put("{\"os.features\":%s}", Platform.class);
    FIELDS.put("{\"manifests\":[],\"schemaVersion\":%s}", Index.class);
    FIELDS.put("{\"schemaVersion\":2,\"manifests\":%s}", Index.class);
    FIELDS.put("{\"schemaVersion\":2,\"manifests\":[%s]}", Index.class);
    FIELDS.put("{\"schemaVersion\":2,\"subject\":%s}", Index.class);
    FIELDS.put("{\"schemaVersion\":2,\"mediaType\":%s}", Index.class);
    FIELDS.put("{\"config\":{" + desc + "},\"layers\":%s}", Manifest.class);
    FIELDS.put("{\"config\":%s}", Manifest.class);
    FIELDS.put("{\"config\":{" + desc + "},\"annotations\":%s}", Manifest.class);
    FIELDS.put("{\"config\":{" + desc + "},\"schemaVersion\":%s}", Manifest.class);
    FIELDS.put("{\"Test\":%s}", ContainerConfig.Healthcheck.class);
    FIELDS.put("{\"Interval\":%s}", ContainerConfig.Healthcheck.class);
    FIELDS.put("{\"Retries\":%s}", ContainerConfig.Healthcheck.class);
    FIELDS.put("{\"User\":%s}", ContainerConfig.class);
    FIELDS.put("{\"ArgsEscaped\":%s}", ContainerConfig.class);
    FIELDS.put("{\"Cmd\":%s}", ContainerConfig.class);
    FIELDS.put("{\"Env\":[\"A=1\",%s]}", ContainerConfig.class);
    FIELDS.put("{\"Labels\":%s}", ContainerConfig.class);
    FIELDS.put("{\"Labels\":{\"k\":%s}}", ContainerConfig.class);
    FIELDS.put("{\"ExposedPorts\":%s}", ContainerConfig.class);
    FIELDS.put("{\"ExposedPorts\":{\"80/tcp\":%s}}", ContainerConfig.class);
    FIELDS.put("{\"Volumes\":{\"/v\":{\"x\":%s}}}", ContainerConfig.class);
    FIELDS.put("{\"Healthcheck\":%s}", ContainerConfig.class);
    FIELDS.put("{\"type\":%s}", ImageConfig.RootFs.class);
    FIELDS.put("{\"diff_ids\":%s}", ImageConfig.RootFs.class);
    FIELDS.put("{\"empty_layer\":%s}", ImageConfig.History.class);
    FIELDS.put("{\"created_by\":%s}", ImageConfig.History.class);
    FIELDS.put("{\"config\":%s}", ImageConfig.class);
    FIELDS.put("{\"rootfs\":%s}", ImageConfig.class);
    FIELDS.put("{\"history\":%s}", ImageConfig.class);
    FIELDS.put("{\"history\":[%s]}", ImageConfig.class);
    FIELDS.put("{\"os.features\":%s}", ImageConfig.class);
  }

  @Test
  void everyFieldAgainstEveryKindOfValue_readsLikeDatabind() throws IOException {
    for (Map.Entry<String, Class<?>> field : FIELDS.entrySet()) {
      for (String value : VALUES) {
        assertReadsLikeDatabind(real(field.getKey().replace("%s", value)), field.getValue());
      }
    }
  }
}
