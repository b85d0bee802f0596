package dev.lamina.builder.exec;

import dev.lamina.builder.cache.CacheKey;
import dev.lamina.builder.cache.CachedLayer;
import dev.lamina.builder.copy.Paths;
import dev.lamina.builder.recipe.CommandLine;
import dev.lamina.builder.recipe.InlineFile;
import dev.lamina.builder.recipe.Mount;
import dev.lamina.builder.recipe.Run;
import dev.lamina.builder.recipe.Stage;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.BindMount;
import dev.lamina.runner.spec.Bundles;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.EtcFiles;
import dev.lamina.runner.spec.Network;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecs;
import dev.lamina.runner.volume.VolumeException;
import dev.lamina.runner.volume.VolumeSpec;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * RUN: the stage's layers as overlay lowers with a fresh upper (or, where overlayfs cannot be
 * used, a flattened copy of them), the command run by the OCI runtime with the stage's environment
 * (ENV and ARG), user, working directory and shell, its output streamed line by line, and what it
 * changed turned into the step's layer. Build-time mounts (bind, cache, tmpfs, secret, ssh) are mounted
 * over the root filesystem, so they never reach the layer; the mount points the runtime had to
 * create for them are removed before the diff.
 * Secrets' values are in no layer, history entry or cache key. Each step gets its own {@code
 * /etc/hosts}, {@code /etc/hostname} and {@code /etc/resolv.conf} ({@link EtcFiles}), as a {@code
 * run} container does. Its network is the build's sandboxed one ({@link BuildNetwork}), an empty
 * one of its own ({@code none}) or the host's ({@code host}), as {@link RunNetwork} says.
 */
final class RunStep {
  /** The name of every step's container, fixed so that it cannot make two builds differ. */
  static final String STEP_HOSTNAME = "lamina";

  private static final Pattern HEREDOC_ONLY = Pattern.compile("\\s*<<-?\\s*([\"']?)[^\\s\"']+\\1\\s*");

  private RunStep() {}

  static BuildState apply(Interpreter in, BuildState state, Run run)
      throws IOException, InterruptedException {
    String text = in.display(run, state);
    Progress.Step step = in.begin(text);
    try {
      return execute(in, state, run, step);
    } catch (IOException | RuntimeException e) {
      step.failed(e.getMessage());
      if (e instanceof IllegalArgumentException) {
        throw new BuildException(e.getMessage());
      }
      throw e;
    }
  }

  private static BuildState execute(Interpreter in, BuildState state, Run run, Progress.Step step)
      throws IOException, InterruptedException {
    BuildRun b = in.run;
    List<String> argv = argv(state, run);
    Map<String, String> env = new LinkedHashMap<>(state.vars());
    for (String proxy : GlobalArgs.PREDEFINED) {
      if (!proxy.equals("SOURCE_DATE_EPOCH") && b.options.buildArgs().containsKey(proxy)) {
        env.putIfAbsent(proxy, b.options.buildArgs().get(proxy));
      }
    }
    if (b.sourceDateEpoch() != null) {
      env.putIfAbsent("SOURCE_DATE_EPOCH", b.sourceDateEpoch());
    }
    String workdir = state.container().workingDir();
    String user = state.container().user();
    RunNetwork network = RunNetwork.of(run.network(), b.options.network());
    CacheKey.Builder kb =
        b.cacheKey("RUN")
            .field("parent", state.chainId())
            .field("argv", argv)
            .field("env", env)
            .field("user", user)
            .field("workdir", workdir)
            .field("network", network.value())
            .field("volumes", b.options.volumes());
    for (Mount m : run.mounts()) {
      kb.field("mount", mountKey(in, state, m));
    }
    CacheKey key = kb.build();
    String history = "RUN " + historyCommand(state, argv);
    Optional<CachedLayer> hit = b.cached(key);
    if (hit.isPresent() && hit.get().layer() != null) {
      b.cachedSteps.incrementAndGet();
      if (b.options.explainCache()) {
        step.explain("cache: hit " + key.digest().shortHex());
      }
      step.cached();
      return state.withLayer(new LayerRef(hit.get().layer(), hit.get().diffId()),
          b.history(history, hit.get()));
    }
    if (b.options.explainCache()) {
      b.explainMiss(step, key);
    }
    // What the step's mounts hold open: other stages' root filesystems, agent relays.
    List<Closeable> held = new ArrayList<>();
    try (MountedRootfs rootfs =
        MountedRootfs.mountForChanges(b.extracted, state.layers(), b.workspace)) {
      ContainerOptions.Builder opts = ContainerOptions.builder()
          .entrypoint(argv)
          // The default mode's namespace is the build's, joined by path below.
          .network(network == RunNetwork.HOST ? Network.HOST : Network.NONE)
          .workdir(workdir == null || workdir.isEmpty() ? "/" : workdir)
          .user(user == null || user.isEmpty() ? null : user);
      env.forEach((k, v) -> opts.env(k + "=" + v));
      List<String> targets = new ArrayList<>();
      int sshMounts = 0;
      for (Mount m : run.mounts()) {
        if (m instanceof Mount.Ssh ssh) {
          addSshMount(in, state, ssh, sshMounts++, opts, targets, held, env);
        } else {
          addMount(in, state, m, opts, targets, held, env);
        }
      }
      for (String v : b.options.volumes()) {
        BindMount bm = volume(v);
        opts.bind(bm);
        targets.add(bm.destination());
      }
      // The step's own /etc/hosts, /etc/hostname and /etc/resolv.conf, read-only as in BuildKit,
      // unless a mount of the step covers one; they are in no layer and no cache key.
      boolean hostNetwork = network == RunNetwork.HOST;
      opts.hostname(STEP_HOSTNAME);
      for (BindMount etc : new EtcFiles(b.options.hostFiles()).write(b.workspace.newDir("etc"),
          EtcFiles.Setup.buildStep(STEP_HOSTNAME, hostNetwork), Set.copyOf(targets))) {
        opts.bind(etc);
      }
      // BuildKit's environment has no HOSTNAME from the runtime; keep the spec's default.
      ContainerOptions options = opts.build();
      ContainerConfig bare = state.container().toBuilder().env(null).entrypoint(null).cmd(null)
          .build();
      RuntimeSpec spec =
          RuntimeSpecs.fromImageConfig(state.config().withConfig(bare), options, rootfs.root());
      if (network == RunNetwork.DEFAULT) {
        spec = BuildNetwork.joining(spec, b.network.namespace());
      }
      for (RuntimeSpec.Mount m : spec.mounts()) {
        targets.add(m.destination());
      }
      Map<String, Boolean> existed = new LinkedHashMap<>();
      for (String t : targets) {
        existed.put(t, exists(rootfs.root(), t));
      }
      int code = runContainer(b, spec, step);
      rootfs.unmount();
      if (code != 0) {
        throw new BuildException("process \"" + String.join(" ", argv)
            + "\" did not complete successfully: exit code: " + code);
      }
      List<String> created = new ArrayList<>();
      existed.forEach((target, was) -> {
        if (!was) {
          created.add(target);
        }
      });
      // Mount points the runtime had to create are artifacts of running, not the step's changes.
      List<LayerEntry> entries = rootfs.changes(created);
      LayerRef layer = b.writeLayer(entries);
      rootfs.keepAsLayer(b.extracted, layer, b.layerWriter, entries);
      b.remember(key, layer);
      step.done();
      return state.withLayer(layer, b.history(history, false));
    } finally {
      for (Closeable c : held) {
        c.close();
      }
    }
  }

  /** The command: exec form as is; shell form (heredocs joined) through the stage's shell. */
  static List<String> argv(BuildState state, Run run) {
    if (run.command() instanceof CommandLine.ExecForm e) {
      return e.args();
    }
    String script = ((CommandLine.ShellForm) run.command()).script();
    if (!run.heredocs().isEmpty()) {
      if (run.heredocs().size() == 1 && HEREDOC_ONLY.matcher(script).matches()) {
        InlineFile f = run.heredocs().get(0);
        String data = f.content();
        if (data.startsWith("#!")) {
          // A script with an interpreter line runs through that interpreter.
          List<String> out = new ArrayList<>(ConfigSteps.shell(state));
          out.add("cat > /dev/shm/.lamina-heredoc <<'LAMINA_HEREDOC_EOF'\n" + data
              + (data.endsWith("\n") ? "" : "\n") + "LAMINA_HEREDOC_EOF\n"
              + "chmod +x /dev/shm/.lamina-heredoc && exec /dev/shm/.lamina-heredoc");
          return out;
        }
        script = data;
      } else {
        StringBuilder sb = new StringBuilder(script);
        for (InlineFile f : run.heredocs()) {
          sb.append('\n').append(f.content());
          if (!f.content().endsWith("\n")) {
            sb.append('\n');
          }
          sb.append(f.name());
        }
        script = sb.toString();
      }
    }
    List<String> out = new ArrayList<>(ConfigSteps.shell(state));
    out.add(script);
    return out;
  }

  /** BuildKit's history: {@code |N A=1 B=2 /bin/sh -c cmd} with the stage's build args. */
  private static String historyCommand(BuildState state, List<String> argv) {
    List<String> parts = new ArrayList<>();
    List<String> args = new ArrayList<>();
    state.args().forEach((k, v) -> args.add(k + "=" + (state.vars().getOrDefault(k,
        v == null ? "" : v))));
    if (!args.isEmpty()) {
      parts.add("|" + args.size());
      parts.addAll(args);
    }
    parts.addAll(argv);
    return String.join(" ", parts);
  }

  /**
   * Which persistent cache a cache mount uses. As in BuildKit, which mounts a directory made with
   * the given {@code uid}/{@code gid}/{@code mode} out of a cache keyed by its id and that
   * directory's origin, those make a cache apart from the one of the same id without them.
   */
  static String cacheName(Mount.Cache c) {
    return c.ownership()
        ? c.id() + ":" + c.uid() + ":" + c.gid() + ":" + Integer.toOctalString(c.mode())
        : c.id();
  }

  private static String mountKey(Interpreter in, BuildState state, Mount m) throws IOException {
    if (m instanceof Mount.Bind bind) {
      String source = bind.source() == null ? "/" : bind.source();
      if (bind.from() == null) {
        return "bind " + bind.target() + " context:" + source + " " + bind.readOnly() + " "
            + contextFingerprint(in, source);
      }
      return "bind " + bind.target() + " " + sourceState(in, bind.from()).chainId() + ":"
          + source + " " + bind.readOnly();
    }
    if (m instanceof Mount.Cache c) {
      return "cache " + c.target() + " " + cacheName(c) + " " + c.sharing() + " " + c.readOnly();
    }
    if (m instanceof Mount.Tmpfs t) {
      return "tmpfs " + t.target() + " " + t.size();
    }
    if (m instanceof Mount.Secret s) {
      return "secret " + s.id() + " " + s.target() + " " + s.env(); // never its value
    }
    Mount.Ssh ssh = (Mount.Ssh) m;
    return "ssh " + ssh.id() + " " + ssh.target() + " " + ssh.required(); // never the agent
  }

  private static Digest contextFingerprint(Interpreter in, String source) throws IOException {
    var tree = dev.lamina.builder.copy.SourceTree.context(in.run.context.dir(), in.run.hidden);
    return dev.lamina.builder.copy.SourceSet.collect(tree, List.of(source), Map.of(),
        new dev.lamina.builder.copy.SourceSet.Options(List.of(), false, false,
            in.run.digests, in.run.fileTime())).fingerprint();
  }

  private static BuildState sourceState(Interpreter in, String from) throws IOException {
    Stage s = Stages.fromStage(in.run.recipe, from);
    return s != null ? in.run.stageResult(s) : in.run.imageState(from);
  }

  private static void addMount(Interpreter in, BuildState state, Mount m,
      ContainerOptions.Builder opts, List<String> targets, List<Closeable> held,
      Map<String, String> env) throws IOException {
    BuildRun b = in.run;
    String workdir = state.container().workingDir();
    if (m instanceof Mount.Bind bind) {
      String target = Paths.clean(Paths.resolveAgainst(workdir, bind.target()));
      Path root;
      if (bind.from() == null) {
        root = b.context.dir();
      } else {
        BuildState src = sourceState(in, bind.from());
        if (src.layers().isEmpty()) {
          root = b.workspace.newDir("empty");
        } else {
          MountedRootfs mounted = MountedRootfs.mount(b.extracted, src.layers(), b.workspace);
          held.add(mounted);
          root = mounted.root();
        }
      }
      Path host = dev.lamina.runner.spec.RootFiles.resolve(root,
          bind.source() == null ? "/" : bind.source());
      if (!Files.exists(host)) {
        throw new BuildException("mount source \"" + bind.source() + "\" not found");
      }
      if (!bind.readOnly()) {
        // Writes to a read-write bind are thrown away, never made to the context itself.
        Path copy = b.workspace.newDir("bind");
        copyTree(host, copy.resolve("data"));
        host = copy.resolve("data");
      }
      opts.bind(new BindMount(host, target, bind.readOnly()));
      targets.add(target);
    } else if (m instanceof Mount.Cache c) {
      String target = Paths.clean(Paths.resolveAgainst(workdir, c.target()));
      Path dir = b.store.cacheDir().resolve("mounts")
          .resolve(Digest.sha256(cacheName(c).getBytes(StandardCharsets.UTF_8)).hex());
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        Posix.chmod(dir, c.mode());
        Posix.lchown(dir, c.uid(), c.gid());
      }
      opts.bind(new BindMount(dir, target, c.readOnly()));
      targets.add(target);
    } else if (m instanceof Mount.Tmpfs t) {
      String target = Paths.clean(Paths.resolveAgainst(workdir, t.target()));
      opts.tmpfs(target + ":exec,suid,dev" + (t.size() > 0 ? ",size=" + t.size() : ""));
      targets.add(target);
    } else if (m instanceof Mount.Secret s) {
      Path value = b.options.secrets().get(s.id());
      if (value == null) {
        if (s.required()) {
          throw new BuildException("secret " + s.id() + ": not provided (use --secret id="
              + s.id() + ",src=FILE)");
        }
        return;
      }
      if (s.env() != null) {
        env.put(s.env(), Files.readString(value, StandardCharsets.UTF_8));
        opts.env(s.env() + "=" + env.get(s.env()));
      }
      if (s.target() != null || s.env() == null) {
        String target = s.target() != null
            ? Paths.clean(Paths.resolveAgainst(workdir, s.target()))
            : "/run/secrets/" + s.id();
        Path copy = b.workspace.newDir("secret").resolve(s.id().replace('/', '_'));
        Files.copy(value, copy);
        Posix.chmod(copy, s.mode());
        Posix.lchown(copy, s.uid(), s.gid());
        opts.bind(new BindMount(copy, target, true));
        targets.add(target);
      }
    }
  }

  /**
   * {@code --mount=type=ssh}, the {@code index}-th of the step: a relay to the build's agent for
   * its id at its target ({@code /run/buildkit/ssh_agent.N} by default), with {@code
   * SSH_AUTH_SOCK} naming the first one unless the stage sets it, as BuildKit does. An id the
   * build was given no agent for is an error when required, and no mount otherwise.
   */
  private static void addSshMount(Interpreter in, BuildState state, Mount.Ssh ssh, int index,
      ContainerOptions.Builder opts, List<String> targets, List<Closeable> held,
      Map<String, String> env) throws IOException {
    Optional<Path> agent = in.run.sshAgents.socket(ssh.id());
    if (agent.isEmpty()) {
      if (ssh.required()) {
        throw new BuildException("ssh " + ssh.id() + ": no agent given (use --ssh " + ssh.id()
            + "[=SOCKET|KEY])");
      }
      return;
    }
    String target = ssh.target() != null
        ? Paths.clean(Paths.resolveAgainst(state.container().workingDir(), ssh.target()))
        : "/run/buildkit/ssh_agent." + index;
    SshForward forward = SshForward.open(agent.get(), ssh.mode(), ssh.uid(), ssh.gid());
    held.add(forward);
    opts.bind(new BindMount(forward.socket(), target, false));
    targets.add(target);
    if (index == 0 && !env.containsKey("SSH_AUTH_SOCK")) {
      env.put("SSH_AUTH_SOCK", target);
      opts.env("SSH_AUTH_SOCK=" + target);
    }
  }

  private static BindMount volume(String spec) throws BuildException {
    String[] parts = spec.split(":");
    if (parts.length < 2 || parts.length > 3) {
      throw new BuildException("invalid volume " + spec + " (HOST:CONTAINER[:ro|rw])");
    }
    boolean readOnly;
    try {
      readOnly = parts.length < 3 || VolumeSpec.readOnly(parts[2], spec).orElse(true);
    } catch (VolumeException e) {
      throw new BuildException(e.getMessage());
    }
    Path host = Path.of(parts[0]).toAbsolutePath();
    if (!Files.exists(host)) {
      throw new BuildException("volume source " + host + " does not exist");
    }
    return new BindMount(host, parts[1], readOnly);
  }

  private static int runContainer(BuildRun b, RuntimeSpec spec, Progress.Step step)
      throws IOException, InterruptedException {
    Path bundle = b.workspace.newDir("bundle");
    Bundles.write(bundle, spec, false);
    Path fifo = bundle.resolve("output");
    Posix.mknod(fifo, FileStat.S_IFIFO | 0600, 0, 0);
    OciRuntime runtime = b.runtime();
    String id = b.stepContainers.newId(runtime);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(
          Files.newInputStream(fifo), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          step.log(line);
        }
      } catch (IOException e) {
        step.log("(output lost: " + e.getMessage() + ")");
      }
    }, "run-output");
    reader.setDaemon(true);
    reader.start();
    File out = fifo.toFile();
    int code;
    try {
      code = runtime.run(id, bundle,
          new Stdio(Redirect.from(new File("/dev/null")), Redirect.appendTo(out),
              Redirect.appendTo(out)));
    } finally {
      reader.join(10_000);
    }
    return code;
  }

  private static boolean exists(Path root, String target) {
    return Files.exists(root.resolve(target.substring(1)), LinkOption.NOFOLLOW_LINKS);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try {
      Process p = new ProcessBuilder("cp", "-a", "--", from.toString(), to.toString())
          .redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
      if (p.waitFor() != 0) {
        throw new BuildException("cannot copy " + from + " for a read-write bind mount");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException("interrupted");
    }
  }
}
