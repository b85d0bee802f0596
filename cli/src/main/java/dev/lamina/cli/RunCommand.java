package dev.lamina.cli;

import dev.lamina.layerfs.store.Lease;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerImage;
import dev.lamina.runner.ContainerNames;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.ContainerRequest;
import dev.lamina.runner.Containers;
import dev.lamina.runner.image.StoreImageProvider;
import dev.lamina.runner.network.PortSpecs;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.spec.ContainerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina run [OPTIONS] IMAGE [COMMAND [ARG...]]}: creates a container and runs it in the
 * foreground (its exit code is this command's) or detached ({@code -d}, printing its id). {@code
 * lamina create} takes the same options and only creates it ({@link CreateCommand}).
 */
@Command(
    name = "run",
    description = "Run a command in a new container.",
    modelTransformer = RunCommand.StopAtImage.class)
class RunCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-d", "--detach"}, description = "Run in the background and print its id.")
  boolean detach;

  @Option(names = {"-i", "--interactive"}, description = "Keep stdin open (pass it on).")
  boolean interactive;

  @Option(names = {"-t", "--tty"}, description = "Give the container a pseudo-terminal.")
  boolean tty;

  @Option(names = "--rm", description = "Remove the container (and its anonymous volumes) when it exits.")
  boolean rm;

  @Option(names = "--name", paramLabel = "NAME", description = "Name of the container.")
  String name;

  @Mixin EnvOptions env;

  @Mixin PullFlags pull;


  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
  String workdir;

  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User (name or uid) to run as.")
  String user;

  @Option(names = "--entrypoint", paramLabel = "CMD", description = "Replace the image's entrypoint (\"\" clears it).")
  String entrypoint;

  @Option(names = "--hostname", paramLabel = "NAME", description = "Host name of the container (default: its short id).")
  String hostname;

  @Option(names = "--read-only", description = "Mount the root filesystem read-only.")
  boolean readOnly;

  @Option(names = "--tmpfs", paramLabel = "PATH[:OPTS]", description = "Mount a tmpfs.")
  List<String> tmpfs = new ArrayList<>();

  @Option(names = {"-v", "--volume"}, paramLabel = "[SRC:]DEST[:ro]", description = "Named volume (NAME:/path), bind mount (/host:/path) or anonymous volume (/path).")
  List<String> volumes = new ArrayList<>();

  @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit (e.g. 64m).")
  String memory;

  @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes (-1: unlimited).")
  Long pidsLimit;

  @Option(names = "--cpus", paramLabel = "N", description = "Number of CPUs (fractional).")
  Double cpus;

  @Option(names = {"--network", "--net"}, paramLabel = "MODE",
      description = "bridge (the default network; the default, pasta for a user), a network's"
          + " NAME, none, host, pasta, or container:ID. Repeatable (or comma-separated) to join"
          + " several bridge networks.")
  List<String> network = new ArrayList<>();

  @Option(names = {"-p", "--publish"}, paramLabel = "[IP:][HOST:]PORT[/PROTO]", description = "Publish a container's port (or range) on the host.")
  List<String> publish = new ArrayList<>();

  @Option(names = {"-P", "--publish-all"}, description = "Publish the exposed ports (the image's and --expose's) on random host ports.")
  boolean publishAll;

  @Option(names = "--expose", paramLabel = "PORT[/PROTO]", description = "Expose a port or a range of ports (repeatable), as the image's EXPOSE does.")
  List<String> expose = new ArrayList<>();

  @Option(names = "--dns", paramLabel = "IP", description = "DNS server (repeatable).")
  List<String> dns = new ArrayList<>();

  @Option(names = "--dns-search", paramLabel = "DOMAIN", description = "DNS search domain (repeatable).")
  List<String> dnsSearch = new ArrayList<>();

  @Option(names = {"--dns-option", "--dns-opt"}, paramLabel = "OPT", description = "resolv.conf option (repeatable).")
  List<String> dnsOptions = new ArrayList<>();

  @Option(names = "--add-host", paramLabel = "NAME:IP", description = "Add a line to /etc/hosts (repeatable).")
  List<String> addHosts = new ArrayList<>();

  @Option(names = "--ip", paramLabel = "IP", description = "The container's address on its network.")
  String ip;

  @Option(names = "--network-alias", paramLabel = "ALIAS", description = "Another name of the container on its network (repeatable).")
  List<String> networkAliases = new ArrayList<>();

  @Option(names = "--cap-add", paramLabel = "CAP", description = "Add a capability.")
  List<String> capAdd = new ArrayList<>();

  @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop a capability.")
  List<String> capDrop = new ArrayList<>();

  @Option(names = "--security-opt", paramLabel = "OPT", description = "seccomp=unconfined|FILE, no-new-privileges[=true|false], label=disable, apparmor=unconfined.")
  List<String> securityOpts = new ArrayList<>();

  @Option(names = "--runtime", paramLabel = "RUNTIME", description = "OCI runtime: runc (default), crun, or a path.")
  String runtime;

  @Mixin RunSettingsOptions more;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id.")
  String image;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments (default: the image's).")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (tty && !detach && !createOnly()) {
      Terminals.requireTerminal();
    }
    if (name != null) {
      // Before the image is found and its layers extracted: a bad name costs nothing.
      ContainerNames.validate(name);
    }
    ContainerOptions.Builder builder = optionsBuilder();
    List<dev.lamina.runner.volume.VolumeSpec> mounts = more.mounts(builder);
    ContainerOptions options = builder.build();
    List<String> exposed = PortSpecs.exposed(expose);
    more.checkCidfile();
    // Opened first: it starts loading what its native calls need, meanwhile the image is found.
    Containers containers = ContainerSupport.open(store.root());
    Store s = store.open();
    String stored = pull.ensure(s, image);
    try (Lease lease = s.lease()) {
      ContainerImage img = new StoreImageProvider(s).prepare(stored);
      more.checkPlatform(image, img.config());
      ContainerRequest request =
          new ContainerRequest(
              img, options, name, volumes, rm, runtimeSelector(), interactive,
              RunNetworkOptions.network(
                  network, name, publish, publishAll, exposedPorts(img, exposed), dns,
                  dnsSearch, dnsOptions, addHosts, ip, networkAliases),
              mounts, more.settings(img.config()).withExposedPorts(exposed));
      if (createOnly()) {
        ContainerRecord created = containers.create(request);
        more.writeCidfile(created.id());
        Output.out().println(created.id());
        return ExitCodes.OK;
      }
      String[] id = new String[1];
      // Quick when there is nothing to do: with -t this terminal attaches only after it, and
      // the container's terminal has its size once attached.
      boolean checked = Supervision.hasHealthcheck(request);
      java.util.function.Consumer<String> onCreated = created -> {
        lease.close();
        id[0] = created;
        if (created != null) {
          try {
            more.writeCidfile(created);
            if (checked) {
              Supervision.watchHealth(store.root(), created);
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      };
      try {
        if (detach) {
          ContainerRecord started =
              containers.runDetached(
                  request,
                  created -> {
                    lease.close();
                    try {
                      more.writeCidfile(created.id());
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
          Supervision.started(store.root(), started);
          Output.out().println(started.id());
          return ExitCodes.OK;
        }
        return ForegroundRun.run(containers, request, interactive, onCreated);
      } catch (OciRuntimeException e) {
        UserException failed = new UserException(ErrorHandler.oneLine(e), e.exitCode());
        failed.initCause(e); // --debug shows the runtime's own words
        throw failed;
      } finally {
        if (id[0] != null) {
          Supervision.exited(store.root(), id[0]);
        }
      }
    }
  }

  /**
   * {@code --runtime}, else the store's configured runtime ({@code LAMINA_RUNTIME}, {@code
   * lamina.properties}): the container's record keeps it for every later command.
   */
  private String runtimeSelector() throws java.io.IOException {
    return runtime != null ? runtime : OciRuntimes.configured(store.root());
  }

  /** The image's exposed ports and {@code --expose}'s: those {@code -P} publishes. */
  private static List<String> exposedPorts(ContainerImage img, List<String> exposed) {
    var c = img.config().config();
    return PortSpecs.mergeExposed(
        c == null || c.exposedPorts() == null ? List.of() : c.exposedPorts().keySet(), exposed);
  }

  /** Whether the container is only created ({@code lamina create}), to be started later. */
  boolean createOnly() {
    return false;
  }

  private ContainerOptions.Builder optionsBuilder() throws java.io.IOException {
    ContainerOptions.Builder b = ContainerOptions.builder();
    more.apply(b);
    env.resolve().forEach(b::env);
    if (entrypoint != null) {
      b.entrypoint(entrypoint.isEmpty() ? List.of() : List.of(entrypoint));
    }
    b.args(command)
        .workdir(workdir)
        .user(user)
        .hostname(hostname)
        .readOnly(readOnly)
        .terminal(tty)
        .memoryBytes(memory == null ? null : ByteSizes.parse(memory))
        .pidsLimit(pidsLimit)
        .cpus(cpus);
    SecurityOptions.apply(securityOpts, b);
    tmpfs.forEach(b::tmpfs);
    capAdd.forEach(b::capAdd);
    capDrop.forEach(b::capDrop);
    return b;
  }

  /** Options after the image belong to the container's command, as with docker. */
  static final class StopAtImage implements CommandLine.IModelTransformer {
    @Override
    public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
      spec.parser().stopAtPositional(true);
      return spec;
    }
  }
}
