package dev.lamina.builder.exec;

import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.network.NetavarkNotFoundException;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.network.NetworkDirectories;
import dev.lamina.runner.network.NetworkNamespace;
import dev.lamina.runner.network.NetworkRequest;
import dev.lamina.runner.network.NetworkUsers;
import dev.lamina.runner.network.Networks;
import dev.lamina.runner.network.Pasta;
import dev.lamina.runner.spec.RuntimeSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sandboxed network of a build's RUN steps in the {@code default} mode: a network namespace of
 * its own with {@code lo} and an {@code eth0} on the store's default bridge network (outbound NAT,
 * no published port), set up through netavark; for an unprivileged user, whom a bridge is out of
 * reach of, connected by pasta instead, as podman's rootless builds are. As BuildKit takes one
 * namespace from its pool per step, and setup and teardown cost far more than a step's process,
 * one namespace serves every default-network step of a build: it is made at the first step that
 * needs it, and torn down when the build ends, however it ends.
 *
 * <p>Why in the workspace: the namespace is pinned at, and the netavark attachment recorded in,
 * {@code WORKSPACE/network/}. A build killed with SIGKILL leaves its workspace with a free lock;
 * {@link Workspace#removeStale} then calls {@link #removeLeft}, which detaches the recorded
 * attachment (veth, firewall rules, address lease) and unpins the namespace before the workspace
 * is deleted.
 */
final class BuildNetwork implements AutoCloseable {
  static final String DIR = "network";
  /** In {@link #DIR}: the host's network run-time directory the build's lease is in. */
  private static final String RUN_DIR = "run-dir";

  private final Networks networks;
  private final String id;
  private Path namespace;

  private BuildNetwork(Networks networks, String id) {
    this.networks = networks;
    this.id = id;
  }

  /** The network of the build whose workspace is {@code workspace}; nothing is set up yet. */
  static BuildNetwork of(Store store, Path workspace, NetworkDefaults defaults) {
    Networks networks = Networks.open(workspace.resolve(DIR), NetworkUsers.NONE,
        defaults == null ? NetworkDefaults.standard() : defaults);
    return new BuildNetwork(networks, "lamina-build-" + workspace.getFileName());
  }

  /**
   * The pinned namespace, made and attached to the default network on first use.
   *
   * @throws BuildException when netavark is not installed (the message names the package)
   * @throws dev.lamina.runner.network.NetworkException when setup fails; nothing is left set up
   */
  synchronized Path namespace() throws IOException {
    if (namespace == null) {
      Path ns = NetworkNamespace.create(networks.namespacePath(id));
      // Read by removeLeft: the lease and netavark's state are where these defaults put them.
      AtomicFiles.write(ns.getParent().resolveSibling(RUN_DIR),
          networks.registry().directories().run().toString().getBytes(StandardCharsets.UTF_8));
      try {
        if (Rootless.active()) {
          // A user's bridge is out of reach; pasta connects the namespace, as for its containers.
          Pasta.attach(ns, List.of());
        } else {
          networks.attach(id, ns, NetworkRequest.defaults(RunStep.STEP_HOSTNAME));
        }
      } catch (NetavarkNotFoundException e) {
        NetworkNamespace.remove(ns);
        // No fallback to the host's network, as in BuildKit: that is the user's choice to make.
        throw new BuildException(e.getMessage()
            + "; or give RUN steps the host's network with build --network=host", e);
      } catch (IOException | RuntimeException e) {
        try {
          NetworkNamespace.remove(ns);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
      namespace = ns;
    }
    return namespace;
  }

  /** {@code spec} with its network namespace the one at {@code netns}, joined by path. */
  static RuntimeSpec joining(RuntimeSpec spec, Path netns) {
    List<RuntimeSpec.Namespace> out = new ArrayList<>();
    for (RuntimeSpec.Namespace n : spec.linux().namespaces()) {
      if (!n.type().equals("network")) {
        out.add(n);
      }
    }
    out.add(new RuntimeSpec.Namespace("network", netns.toString()));
    RuntimeSpec.Linux l = spec.linux();
    return new RuntimeSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(),
        spec.mounts(), new RuntimeSpec.Linux(out, l.uidMappings(), l.gidMappings(),
            l.resources(), l.cgroupsPath(), l.maskedPaths(), l.readonlyPaths(), l.seccomp()));
  }

  /** Detaches and unpins, when it was set up; the steps using it have ended. */
  @Override
  public synchronized void close() throws IOException {
    if (namespace == null) {
      return;
    }
    try {
      if (!Rootless.active()) {
        networks.detach(id, namespace);
      } // pasta leaves once the namespace's file is gone
    } finally {
      NetworkNamespace.remove(namespace);
      namespace = null;
    }
  }

  /**
   * Tears down what the dead build of {@code workspace} left: each recorded attachment is
   * detached, then every namespace pinned there is unpinned. Nothing happens when it set up none.
   *
   * @throws IOException when a teardown or an unmount fails (the others are still done)
   */
  static void removeLeft(Store store, Path workspace) throws IOException {
    Path dir = workspace.resolve(DIR);
    if (!Files.isDirectory(dir)) {
      return;
    }
    // A teardown needs no definition: only the lease and netavark's state, in the host's
    // run-time directory the build used.
    NetworkDefaults defaults = NetworkDefaults.standard();
    Path runDir = dir.resolve(RUN_DIR);
    if (Files.isRegularFile(runDir)) {
      defaults = defaults.withDirectories(new NetworkDirectories(
          defaults.directories().config(), Path.of(Files.readString(runDir, StandardCharsets.UTF_8))));
    }
    Networks networks = Networks.open(dir, NetworkUsers.NONE, defaults);
    IOException failed = null;
    for (String id : networks.attached()) {
      try {
        networks.detach(id, networks.namespacePath(id));
      } catch (IOException e) {
        failed = failed == null ? e : failed;
      }
    }
    Path pinned = dir.resolve("netns");
    if (Files.isDirectory(pinned)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(pinned)) {
        for (Path ns : ds) {
          try {
            NetworkNamespace.remove(ns);
          } catch (IOException e) {
            failed = failed == null ? e : failed;
          }
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
