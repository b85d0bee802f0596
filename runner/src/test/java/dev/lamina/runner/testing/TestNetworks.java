package dev.lamina.runner.testing;

import dev.lamina.runner.Containers;
import dev.lamina.runner.ExitCommand;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.network.NetworkDirectories;
import dev.lamina.runner.network.Subnet;
import java.nio.file.Path;
import java.util.List;

/**
 * Network defaults for tests: a default network of the test's own (its name, its bridge, its
 * subnet), and definitions in a directory of the test's own, so that no test writes in the host's
 * {@code /etc}.
 */
public final class TestNetworks {
  private TestNetworks() {}

  /**
   * Definitions under {@code configDir}; leases, netavark's state and its lock in the host's
   * run-time directory, shared with every other user of netavark on the host as they must be.
   */
  public static NetworkDefaults own(String tag, String subnet, Path configDir) {
    NetworkDefaults d = NetworkDefaults.standard();
    return d.withDefaultNetwork(tag, tag + "0")
        .withSubnet(Subnet.parse(subnet))
        .withDirectories(d.directories().withConfig(configDir));
  }

  /**
   * The command containers' monitors run when a container ends, with these networks, as the CLI
   * passes its own network options on to the cleanup it has conmon run.
   */
  public static ExitCommand exitCommand(NetworkDefaults d) {
    String java =
        ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return ExitCommand.command(List.of(
        java, "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlamina.test.network=" + d.name(),
        "-Dlamina.test.bridge=" + d.bridge(),
        "-Dlamina.test.subnet=" + d.preferredSubnet(),
        "-Dlamina.test.config=" + d.directories().config(),
        "-Dlamina.test.run=" + d.directories().run(),
        "-cp", System.getProperty("java.class.path"),
        Cleanup.class.getName()));
  }

  /** The cleanup {@link #exitCommand} runs: {@code LAMINA_ROOT ID}. */
  public static final class Cleanup {
    private Cleanup() {}

    public static void main(String[] args) throws Exception {
      NetworkDefaults d = NetworkDefaults.standard()
          .withDefaultNetwork(System.getProperty("lamina.test.network"), System.getProperty("lamina.test.bridge"))
          .withSubnet(Subnet.parse(System.getProperty("lamina.test.subnet")))
          .withDirectories(new NetworkDirectories(
              Path.of(System.getProperty("lamina.test.config")), Path.of(System.getProperty("lamina.test.run"))));
      Path root = Path.of(args[0]);
      Containers.open(root, exitCommand(d), OciRuntimes.source(root), d).cleanUp(args[1]);
    }
  }

  /** The same with every directory under {@code dir}: for tests of the state itself. */
  public static NetworkDefaults isolated(String tag, String subnet, Path dir) {
    return own(tag, subnet, dir)
        .withDirectories(new NetworkDirectories(dir.resolve("config"), dir.resolve("run")));
  }
}
