package dev.lamina.cli;

import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.network.PortMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina port CONTAINER [PORT[/PROTO]]}: a running container's published ports, as {@code
 * docker port} prints them ({@code 80/tcp -> 127.0.0.1:8080}; with a port, its host addresses).
 */
@Command(name = "port", description = "List a container's published ports.")
final class PortCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String ref;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PORT[/PROTO]", description = "A container port (tcp unless said).")
  String port;

  @Override
  public Integer call() throws Exception {
    ContainerRecord r = ContainerSupport.open(store.root()).inspect(ref);
    List<PortMapping> published = r.networkStatus() == null ? List.of() : r.networkStatus().ports();
    List<String> lines = lines(published, port);
    if (port != null && lines.isEmpty()) {
      throw new UserException(
          "no public port '" + key(port) + "' published for " + r.name(), ExitCodes.ERROR);
    }
    lines.forEach(Output.out()::println);
    return ExitCodes.OK;
  }

  /** Each published port ({@code 80/tcp -> 0.0.0.0:8080}), or only {@code wanted}'s host addresses. */
  static List<String> lines(List<PortMapping> published, String wanted) {
    List<String> out = new ArrayList<>();
    for (PortMapping p : published) {
      for (int i = 0; i < p.range(); i++) {
        String k = (p.containerPort() + i) + "/" + p.protocol();
        String host = p.shownHostIp() + ":" + (p.hostPort() + i);
        if (wanted == null) {
          out.add(k + " -> " + host);
        } else if (k.equals(key(wanted))) {
          out.add(host);
        }
      }
    }
    return out;
  }

  private static String key(String port) {
    String p = port.strip().toLowerCase(Locale.ROOT);
    return p.contains("/") ? p : p + "/tcp";
  }
}
