package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds the recipes of {@code src/test/resources/differential/} with Lamina and with {@code
 * buildah bud}, from the same busybox base and the same context, unpacks both images with umoci
 * and compares their root filesystems (path, type, mode, owner, content digest, link target,
 * device; never times) and their configs (Env, Cmd, Entrypoint, WorkingDir, User, Labels,
 * ExposedPorts, Volumes, StopSignal).
 *
 * <p>Lamina follows BuildKit, the reference for the recipe language. Where buildah deviates from
 * BuildKit, a recipe says so in its header, and the test checks that exactly that differs:
 *
 * <ul>
 *   <li>{@code # differs: /PATH: why} - the entry at PATH is expected to differ;
 *   <li>{@code # differs-config: FIELD: why} - the config field is expected to differ;
 *   <li>{@code # excluded: why} - buildah cannot build the recipe at all;
 *   <li>{@code # buildah: ARGS} - extra arguments for {@code buildah bud}.
 * </ul>
 *
 * <p>Two buildah artefacts are ignored everywhere: its {@code io.buildah.version} label, and the
 * empty mount points {@code /etc/hosts}, {@code /etc/hostname}, {@code /etc/resolv.conf} and
 * {@code /run} that buildah 1.28 leaves in the layer of a RUN step (BuildKit leaves none). buildah
 * runs its RUN steps with {@code --isolation chroot}: its runc isolation cannot start containers
 * inside this test's own sandbox.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildahDifferentialTest {
  private static final List<String> RUN_LEFTOVERS =
      List.of("etc/hosts", "etc/hostname", "etc/resolv.conf", "run");
  private static final List<String> CONFIG_FIELDS = List.of("Env", "Cmd", "Entrypoint",
      "WorkingDir", "User", "Labels", "ExposedPorts", "Volumes", "StopSignal");

  private Path work;
  private Path context;
  private Store store;
  private List<String> buildah;

  @BeforeAll
  void setUp() throws Exception {
    Requirements.root();
    Requirements.tool("buildah");
    Requirements.tool("umoci");
    Requirements.tool("tar");
    Requirements.tool("runc");
    work = Files.createTempDirectory("lamina-differential");
    buildah = List.of("buildah", "--root", work.resolve("buildah-root").toString(), "--runroot",
        work.resolve("buildah-run").toString(), "--storage-driver", "vfs");
    store = Store.open(work.resolve("lamina-root"));
    Path base = busyboxContext();
    Builder.build(store, BuildOptions.builder(base).recipeFile(base.resolve("Containerfile"))
        .tag("busybox").build(), Progress.quiet());
    Path archive = work.resolve("busybox.tar");
    ImageTransports.save(store, List.of("busybox"),
        ImageLocation.parse("docker-archive:" + archive));
    run(concat(buildah, "pull", "-q", "docker-archive:" + archive));
    context = sharedContext();
  }

  @AfterAll
  void tearDown() throws Exception {
    if (work != null) {
      run(concat(buildah, "rmi", "-a", "-f"), true);
      run(List.of("rm", "-rf", work.toString()), true);
    }
  }

  static Stream<String> recipes() throws IOException {
    Path dir = Path.of("src/test/resources/differential");
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".Containerfile"))
          .map(n -> n.substring(0, n.length() - ".Containerfile".length()))
          .filter(n -> header(n).excluded == null) // see excludedRecipes_buildWithLamina
          .sorted()
          .toList()
          .stream();
    }
  }

  static Stream<String> excludedRecipes() throws IOException {
    Path dir = Path.of("src/test/resources/differential");
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".Containerfile"))
          .map(n -> n.substring(0, n.length() - ".Containerfile".length()))
          .filter(n -> header(n).excluded != null)
          .sorted()
          .toList()
          .stream();
    }
  }

  private static Header header(String name) {
    try {
      return Header.of(
          Files.readString(Path.of("src/test/resources/differential/" + name + ".Containerfile")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Recipes buildah cannot build (the header says why) are still built by Lamina. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("excludedRecipes")
  void excludedRecipes_buildWithLamina(String name) throws Exception {
    Path recipe = Path.of("src/test/resources/differential/" + name + ".Containerfile")
        .toAbsolutePath();
    Builder.build(store, BuildOptions.builder(context).recipeFile(recipe).tag(name).build(),
        Progress.quiet());
    assertTrue(store.images().inspect(name).manifest().layers().size() > 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recipes")
  void sameImageAsBuildah(String name) throws Exception {
    Path recipe = Path.of("src/test/resources/differential/" + name + ".Containerfile")
        .toAbsolutePath();
    Header header = Header.of(Files.readString(recipe));

    List<String> bud = concat(buildah, "bud", "--isolation", "chroot", "--layers", "-q");
    bud.addAll(header.buildahArgs.isEmpty() ? List.of("--format", "oci") : header.buildahArgs);
    bud.addAll(List.of("-f", recipe.toString(), "-t", name, context.toString()));
    run(bud);
    Path theirs = work.resolve("buildah-oci-" + name);
    run(concat(buildah, "push", "-q", name, "oci:" + theirs + ":" + name));

    Builder.build(store, BuildOptions.builder(context).recipeFile(recipe).tag(name).build(),
        Progress.quiet());
    Path ours = work.resolve("lamina-oci-" + name);
    ImageTransports.save(store, List.of(name), ImageLocation.parse("oci:" + ours + ":" + name));

    Map<String, String> theirFiles = unpack(theirs, name, work.resolve("buildah-unpacked-" + name));
    Map<String, String> ourFiles = unpack(ours, name, work.resolve("lamina-unpacked-" + name));
    for (String leftover : RUN_LEFTOVERS) {
      String entry = theirFiles.get(leftover);
      if (!ourFiles.containsKey(leftover) && entry != null
          && (entry.startsWith("dir ") || entry.contains(" sha256:e3b0c442"))) {
        theirFiles.remove(leftover);
      }
    }
    List<String> problems = new ArrayList<>();
    for (String path : new TreeSet<>(union(theirFiles.keySet(), ourFiles.keySet()))) {
      String a = theirFiles.get(path);
      String b = ourFiles.get(path);
      boolean expected = header.differs.containsKey("/" + path);
      if (expected && java.util.Objects.equals(a, b)) {
        problems.add("/" + path + " was expected to differ (" + header.differs.get("/" + path)
            + ") but is the same in both: " + a);
      } else if (!expected && !java.util.Objects.equals(a, b)) {
        problems.add("/" + path + ": buildah " + a + ", lamina " + b);
      }
    }
    for (String path : header.differs.keySet()) {
      if (!theirFiles.containsKey(path.substring(1)) && !ourFiles.containsKey(path.substring(1))) {
        problems.add(path + " was expected to differ but is in neither image");
      }
    }
    JsonNode theirConfig = config(theirs, name);
    JsonNode ourConfig = config(ours, name);
    for (String field : CONFIG_FIELDS) {
      JsonNode a = normalised(field, theirConfig.get(field));
      JsonNode b = normalised(field, ourConfig.get(field));
      boolean expected = header.configDiffers.containsKey(field);
      if (expected && a.equals(b)) {
        problems.add("config " + field + " was expected to differ ("
            + header.configDiffers.get(field) + ") but is " + a + " in both");
      } else if (!expected && !a.equals(b)) {
        problems.add("config " + field + ": buildah " + a + ", lamina " + b);
      }
    }
    if (!problems.isEmpty()) {
      fail(name + ":\n  " + String.join("\n  ", problems));
    }
  }

  /** The recipe's header directives. */
  private record Header(
      String excluded,
      Map<String, String> differs,
      Map<String, String> configDiffers,
      List<String> buildahArgs) {
    static Header of(String recipe) {
      String excluded = null;
      Map<String, String> differs = new LinkedHashMap<>();
      Map<String, String> config = new LinkedHashMap<>();
      List<String> args = new ArrayList<>();
      for (String line : recipe.split("\n")) {
        if (!line.startsWith("#")) {
          continue;
        }
        String l = line.substring(1).trim();
        if (l.startsWith("excluded:")) {
          excluded = l.substring("excluded:".length()).trim();
        } else if (l.startsWith("differs:")) {
          String[] kv = l.substring("differs:".length()).trim().split(": ", 2);
          differs.put(kv[0], kv.length > 1 ? kv[1] : "");
        } else if (l.startsWith("differs-config:")) {
          String[] kv = l.substring("differs-config:".length()).trim().split(": ", 2);
          config.put(kv[0], kv.length > 1 ? kv[1] : "");
        } else if (l.startsWith("buildah:")) {
          String rest = l.substring("buildah:".length()).trim();
          int paren = rest.indexOf(" (");
          args.addAll(Arrays.asList((paren < 0 ? rest : rest.substring(0, paren)).split(" ")));
        }
      }
      return new Header(excluded, differs, config, args);
    }
  }

  /** A config field, with buildah's own version label left out of Labels. */
  private static JsonNode normalised(String field, JsonNode value) {
    if (value == null || value.isNull()) {
      return Json.mapper().nullNode();
    }
    if (field.equals("Labels") && value.isObject()) {
      var copy = value.deepCopy();
      ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("io.buildah.version");
      return copy.isEmpty() ? Json.mapper().nullNode() : copy;
    }
    return value;
  }

  /** The image config of {@code tag} in the OCI layout {@code layout}. */
  private static JsonNode config(Path layout, String tag) throws IOException {
    JsonNode index = Json.readTree(Files.readAllBytes(layout.resolve("index.json")));
    for (JsonNode m : index.get("manifests")) {
      JsonNode ann = m.get("annotations");
      if (ann != null && tag.equals(ann.path("org.opencontainers.image.ref.name").asText())) {
        JsonNode manifest = Json.readTree(blob(layout, m.get("digest").asText()));
        return Json.readTree(blob(layout, manifest.get("config").get("digest").asText()))
            .get("config");
      }
    }
    throw new IOException(tag + " not in " + layout);
  }

  private static byte[] blob(Path layout, String digest) throws IOException {
    Digest d = Digest.parse(digest);
    return Files.readAllBytes(layout.resolve("blobs").resolve(d.algorithm().id()).resolve(d.hex()));
  }

  /** Unpacks {@code tag} with umoci and describes every file of its root filesystem. */
  private Map<String, String> unpack(Path layout, String tag, Path bundle) throws Exception {
    run(List.of("umoci", "unpack", "--image", layout + ":" + tag, bundle.toString()));
    Path root = bundle.resolve("rootfs");
    Map<String, String> out = new TreeMap<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        if (!dir.equals(root)) {
          out.put(root.relativize(dir).toString(), describe(dir));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        out.put(root.relativize(file).toString(), describe(file));
        return FileVisitResult.CONTINUE;
      }
    });
    return out;
  }

  private static String describe(Path p) throws IOException {
    FileStat st = Posix.lstat(p);
    String owner = " " + Integer.toOctalString(st.permissions()) + " " + st.uid() + ":" + st.gid();
    if (st.isDirectory()) {
      return "dir" + owner;
    } else if (st.isRegularFile()) {
      try (InputStream in = Files.newInputStream(p)) {
        return "file" + owner + " " + Digest.sha256(in);
      }
    } else if (st.isSymlink()) {
      return "symlink" + owner + " -> " + Files.readSymbolicLink(p);
    }
    return "type " + Integer.toOctalString(st.type()) + owner + " " + st.rdevMajor() + ","
        + st.rdevMinor();
  }

  /** The busybox sample's context, its rootfs.tar made by the sample's own make-rootfs. */
  private Path busyboxContext() throws Exception {
    Path sample = Path.of("../samples/busybox").toAbsolutePath().normalize();
    Path ctx = Files.createDirectories(work.resolve("busybox"));
    Path rootfs = work.resolve("busybox-rootfs");
    run(List.of(sample.resolve("make-rootfs").toString(), rootfs.toString()));
    run(List.of("tar", "--numeric-owner", "--sort=name", "--mtime=@0", "-C", rootfs.toString(),
        "-cf", ctx.resolve("rootfs.tar").toString(), "."));
    Files.copy(sample.resolve("Containerfile"), ctx.resolve("Containerfile"));
    return ctx;
  }

  /** The context every recipe reads: files and directories of several modes, two archives. */
  private Path sharedContext() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("context"));
    Files.createDirectories(ctx.resolve("dir/sub"));
    Files.writeString(ctx.resolve("a.txt"), "a\n");
    Files.writeString(ctx.resolve("b.txt"), "b\n");
    Files.writeString(ctx.resolve("x.md"), "x\n");
    Files.writeString(ctx.resolve("dir/c"), "c\n");
    Files.writeString(ctx.resolve("dir/sub/d"), "d\n");
    Files.createSymbolicLink(ctx.resolve("dir/link"), Path.of("c"));
    Posix.chmod(ctx.resolve("a.txt"), 0755);
    Posix.chmod(ctx.resolve("dir/c"), 0600);
    Posix.chmod(ctx.resolve("dir/sub"), 0700);
    Posix.chmod(ctx.resolve("dir"), 0750);
    Path tarSource = Files.createDirectories(work.resolve("tar-source/t"));
    Files.writeString(tarSource.resolve("f"), "t\n");
    run(List.of("tar", "--owner=123", "--group=456", "--numeric-owner", "-C",
        tarSource.getParent().toString(), "-cf", ctx.resolve("arch.tar").toString(), "."));
    run(List.of("tar", "--numeric-owner", "-C", tarSource.getParent().toString(), "-czf",
        ctx.resolve("arch.tgz").toString(), "."));
    return ctx;
  }

  private static List<String> concat(List<String> head, String... rest) {
    List<String> out = new ArrayList<>(head);
    out.addAll(Arrays.asList(rest));
    return out;
  }

  private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  private static String run(List<String> command) throws Exception {
    return run(command, false);
  }

  private static String run(List<String> command, boolean mayFail) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0 && !mayFail) {
      fail(String.join(" ", command) + " exited " + rc + ":\n" + output);
    }
    return output;
  }
}
