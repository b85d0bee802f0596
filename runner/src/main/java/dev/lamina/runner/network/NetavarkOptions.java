package dev.lamina.runner.network;

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
 * netavark's network options for one container ({@code container_id}, {@code container_name},
 * {@code networks} with {@code interface_name}, {@code static_ips} and {@code aliases}, {@code
 * network_info} with each network's definition, {@code port_mappings}, {@code dns_servers}), the
 * JSON {@code netavark setup} and {@code teardown} read on stdin.
 *
 * @param containerId the container's id (netavark's key for DNS and port rules)
 * @param containerName its name
 * @param joins the networks, each with its interface, address and aliases
 * @param ports published ports (host ports resolved)
 * @param dnsServers upstream resolvers for aardvark-dns, or empty for the host's
 */
public record NetavarkOptions(
    String containerId,
    String containerName,
    List<Join> joins,
    List<PortMapping> ports,
    List<String> dnsServers) {
  /**
   * One network joined.
   *
   * @param network its definition
   * @param interfaceName {@code eth0}, {@code eth1}, …
   * @param address the address allocated for the container
   * @param aliases DNS names besides the container's name
   */
  public record Join(NetworkDefinition network, String interfaceName, int address, List<String> aliases) {
    public Join {
      aliases = List.copyOf(aliases);
    }
  }

  public NetavarkOptions {
    joins = List.copyOf(joins);
    ports = List.copyOf(ports);
    dnsServers = List.copyOf(dnsServers);
  }

  /** The JSON bytes netavark reads. */
  public byte[] toJson() {
    return JsonWriter.toBytes(this, OptionsCodec.INSTANCE);
  }

  /** Write-only: netavark reads these options, Lamina never does. */
  private static final class OptionsCodec implements JsonCodec<NetavarkOptions> {
    static final OptionsCodec INSTANCE = new OptionsCodec();

    @Override
    public void write(JsonWriter out, NetavarkOptions o) throws IOException {
      out.startObject().string("container_id", o.containerId()).string("container_name", o.containerName());
      Map<String, Object> networks = new LinkedHashMap<>();
      for (Join j : o.joins()) {
        Map<String, Object> per = new LinkedHashMap<>();
        per.put("interface_name", j.interfaceName());
        per.put("static_ips", List.of(Ipv4.format(j.address())));
        if (j.network().dnsEnabled()) {
          per.put("aliases", new ArrayList<>(j.aliases()));
        }
        networks.put(j.network().name(), per);
      }
      out.raw("networks", networks);
      out.value("network_info", o.joins(), NetworkInfoCodec.INSTANCE);
      List<Object> ports = new ArrayList<>();
      for (PortMapping p : o.ports()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host_ip", p.hostIp());
        m.put("container_port", p.containerPort());
        m.put("host_port", p.hostPort());
        m.put("protocol", p.protocol());
        m.put("range", p.range());
        ports.add(m);
      }
      if (!ports.isEmpty()) {
        out.raw("port_mappings", ports);
      }
      if (!o.dnsServers().isEmpty()) {
        out.strings("dns_servers", o.dnsServers());
      }
      out.endObject();
    }

    @Override
    public NetavarkOptions read(JsonObject in) throws JsonFormatException {
      throw new UnsupportedOperationException("netavark options are only written");
    }
  }

  /** {@code network_info}: each network's stored definition, keyed by name. */
  private static final class NetworkInfoCodec implements JsonCodec<List<Join>> {
    static final NetworkInfoCodec INSTANCE = new NetworkInfoCodec();

    @Override
    public void write(JsonWriter out, List<Join> joins) throws IOException {
      out.startObject();
      for (Join j : joins) {
        out.value(j.network().name(), j.network(), NetworkDefinitionCodec.INSTANCE);
      }
      out.endObject();
    }

    @Override
    public List<Join> read(JsonObject in) throws JsonFormatException {
      throw new UnsupportedOperationException("netavark options are only written");
    }
  }
}
