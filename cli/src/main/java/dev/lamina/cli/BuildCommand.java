package dev.lamina.cli;

import dev.lamina.builder.context.BuildContext;
import dev.lamina.builder.exec.BuildOptions;
import dev.lamina.builder.exec.RunNetwork;
import dev.lamina.builder.exec.BuildResult;
import dev.lamina.builder.exec.Builder;
import dev.lamina.builder.exec.Progress;
import dev.lamina.builder.parse.RecipeText;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.store.OutputFiles;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import dev.lamina.layerfs.transport.PullPolicy;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina build [OPTIONS] CONTEXT}: builds an image from a Containerfile/Dockerfile. */
@Command(
    name = "build",
    description = "Build an image from a Containerfile or Dockerfile and a context directory.")
final class BuildCommand implements Callable<Integer> {
  @Mixin StoreOptions store;
  @Mixin RegistryFlags registry;

  @Option(
      names = "--pull",
      arity = "0..1",
      parameterConsumer = PullValue.class,
      paramLabel = "POLICY",
      description = "When to pull FROM images: missing (default), always (--pull alone), never,"
          + " or newer.")
  String pull = "missing";

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME", description = "Name the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "The recipe (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile; - reads"
          + " stdin).")
  String file;

  @Option(names = "--build-arg", paramLabel = "NAME[=VALUE]",
      description = "A build argument; without a value, taken from the environment.")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage.")
  String target;

  @Option(names = "--no-cache", description = "Run every step, ignoring the build cache.")
  boolean noCache;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Add a label to the image.")
  List<String> labels = new ArrayList<>();

  @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image id here.")
  Path iidFile;

  @Option(names = "--platform", paramLabel = "OS/ARCH",
      description = "The target platform; only this host's is supported.")
  String platform;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "plain",
      description = "plain (default), quiet or json.")
  String progress;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image id.")
  boolean quiet;

  @Option(names = {"-o", "--output"}, paramLabel = "type=oci|docker,dest=FILE",
      description = "Also write the image as an archive.")
  String output;

  @Option(names = "--squash", description = "Squash the layers this build adds into one.")
  boolean squash;

  @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CTR[:ro|rw]",
      description = "Bind a host path into every RUN (read-only unless rw).")
  List<String> volumes = new ArrayList<>();

  @Option(names = "--secret", paramLabel = "id=ID,src=FILE|env=VAR",
      description = "A secret for RUN --mount=type=secret.")
  List<String> secrets = new ArrayList<>();

  @Option(names = "--ssh", paramLabel = "default|ID[=SOCKET|KEY[,KEY]]",
      description = "An SSH agent for RUN --mount=type=ssh (and, as default, for ADD of git"
          + " sources over ssh): $SSH_AUTH_SOCK, a socket, or keys.")
  List<String> ssh = new ArrayList<>();

  @Option(names = "--explain-cache", description = "Say for each step why it hit or missed.")
  boolean explainCache;

  @Option(names = "--reproducible",
      description = "Clamp file times and stamp the image with SOURCE_DATE_EPOCH, or with"
          + " 1970-01-01T00:00:01Z when it is not set.")
  boolean reproducible;

  @Option(names = "--network", paramLabel = "default|none|host", defaultValue = "default",
      description = "The network of RUN steps that do not set --network: a sandboxed namespace"
          + " on the default bridge network (default), only a loopback (none), or the host's.")
  String network;

  @Parameters(index = "0", paramLabel = "CONTEXT", description = "The build context directory.")
  Path context;

  /**
   * {@code --pull} alone means {@code always}, as {@code docker build --pull .}: the next argument
   * is its value only when it is a policy's name, never the context that follows.
   */
  static final class PullValue implements CommandLine.IParameterConsumer {
    private static final java.util.Set<String> POLICIES =
        java.util.Set.of("missing", "always", "never", "newer", "true", "false");

    @Override
    public void consumeParameters(java.util.Stack<String> args, CommandLine.Model.ArgSpec arg,
        CommandLine.Model.CommandSpec command) {
      boolean given = !args.isEmpty()
          && POLICIES.contains(args.peek().toLowerCase(java.util.Locale.ROOT));
      arg.setValue(given ? args.pop() : "always");
    }
  }

  @Override
  public Integer call() throws Exception {
    Path contextDir = context.toAbsolutePath().normalize();
    BuildOptions.Builder b = BuildOptions.builder(contextDir);
    if ("-".equals(file)) {
      b.recipeText(RecipeText.decode(System.in.readAllBytes()));
    } else {
      Path recipe = file == null ? BuildContext.defaultRecipe(contextDir) : FileNames.path(file);
      if (!Files.isRegularFile(recipe)) {
        throw new UserException("recipe not found: " + recipe);
      }
      b.recipeFile(recipe.toAbsolutePath());
    }
    tags.forEach(b::tag);
    try {
      b.network(RunNetwork.parse(network));
    } catch (IllegalArgumentException e) {
      throw new UserException("--network: " + e.getMessage());
    }
    b.networkDefaults(NetworkCommand.defaults());
    for (String a : buildArgs) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        String env = System.getenv(a);
        if (env != null) {
          b.buildArg(a, env);
        }
      } else {
        b.buildArg(a.substring(0, eq), a.substring(eq + 1));
      }
    }
    for (String l : labels) {
      int eq = l.indexOf('=');
      b.label(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
    }
    for (String s : secrets) {
      String id = null;
      Path src = null;
      for (String part : s.split(",")) {
        int eq = part.indexOf('=');
        String k = eq < 0 ? part : part.substring(0, eq);
        String v = eq < 0 ? "" : part.substring(eq + 1);
        switch (k) {
          case "id" -> id = v;
          case "src", "source" -> src = Path.of(v);
          case "env" -> {
            String value = System.getenv(v);
            if (value == null) {
              throw new UserException("--secret " + s + ": environment variable " + v
                  + " is not set");
            }
            Path tmp = Files.createTempFile("lamina-secret", "");
            tmp.toFile().deleteOnExit();
            Files.writeString(tmp, value);
            src = tmp;
          }
          default -> throw new UserException("invalid --secret " + s);
        }
      }
      if (id == null || src == null) {
        throw new UserException("invalid --secret " + s + " (id=ID,src=FILE or id=ID,env=VAR)");
      }
      b.secret(id, src);
    }
    for (String spec : ssh) {
      addSsh(b, spec);
    }
    volumes.forEach(b::volume);
    String mode = quiet ? "quiet" : progress;
    PrintStream err = System.err;
    Progress p = switch (mode) {
      case "plain", "auto", "tty" -> ShortMessages.of(Progress.plain(err));
      case "quiet" -> Progress.quiet();
      case "json", "rawjson" -> Progress.json(Output.out());
      default -> throw new UserException("invalid --progress " + progress
          + " (plain, quiet or json)");
    };
    String[] outputSpec = parseOutput(output);
    b.target(target)
        .noCache(noCache)
        .platform(platform)
        .squash(squash)
        .explainCache(explainCache)
        .sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH"))
        .reproducible(reproducible);
    try {
      b.pull(PullPolicy.parse(pull));
    } catch (IllegalArgumentException e) {
      throw new UserException("--pull: " + e.getMessage(), ExitCodes.USAGE);
    }
    Store s = store.open();
    BuildResult result;
    try (TransferPrinter transfers = new TransferPrinter(mode.equals("quiet"))) {
      b.registry(registry.builder().progress(transfers).build());
      result = Builder.build(s, b.build(), p);
    } catch (InterruptedException | UserException e) {
      throw e;
    } catch (Exception e) {
      // Once under way, a build that fails exits 1, as docker build does.
      throw new BuildFailedException(e);
    }
    if (iidFile != null) {
      OutputFiles.write(iidFile, result.imageId().toString().getBytes(StandardCharsets.UTF_8));
    }
    if (outputSpec != null) {
      String transport = outputSpec[0].equals("docker") ? "docker-archive:" : "oci-archive:";
      // By manifest, not by name: an untagged build has none in the store.
      ImageTransports.save(s, result.manifest(), result.names(),
          ImageLocation.parse(transport + outputSpec[1]));
    }
    if (!mode.equals("json")) {
      Output.out().println(result.imageId());
    }
    return ExitCodes.OK;
  }

  /**
   * {@code --ssh ID[=PATH[,PATH]]}, as docker buildx takes it: without paths, the agent of
   * {@code $SSH_AUTH_SOCK}.
   */
  private static void addSsh(BuildOptions.Builder b, String spec) {
    int eq = spec.indexOf('=');
    String id = eq < 0 ? spec : spec.substring(0, eq);
    if (id.isEmpty()) {
      throw new UserException("invalid --ssh " + spec + " (default|ID[=SOCKET|KEY[,KEY]])");
    }
    List<Path> paths = new ArrayList<>();
    if (eq >= 0) {
      for (String p : spec.substring(eq + 1).split(",")) {
        if (!p.isEmpty()) {
          paths.add(Path.of(p));
        }
      }
    }
    if (paths.isEmpty()) {
      String sock = System.getenv("SSH_AUTH_SOCK");
      if (sock == null || sock.isEmpty()) {
        throw new UserException("--ssh " + spec + ": SSH_AUTH_SOCK is not set; name a socket or"
            + " key files (--ssh " + id + "=PATH)");
      }
      paths.add(Path.of(sock));
    }
    b.ssh(id, paths);
  }

  private static String[] parseOutput(String spec) {
    if (spec == null) {
      return null;
    }
    String type = null;
    String dest = null;
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      switch (k) {
        case "type" -> type = v;
        case "dest" -> dest = v;
        default -> throw new UserException("invalid --output " + spec);
      }
    }
    if (type == null || dest == null || !(type.equals("oci") || type.equals("docker"))) {
      throw new UserException("invalid --output " + spec + " (type=oci|docker,dest=FILE)");
    }
    return new String[] {type, dest};
  }
}
