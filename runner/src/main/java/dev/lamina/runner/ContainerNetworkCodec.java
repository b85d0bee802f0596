package dev.lamina.runner;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.runner.network.NetworkAttachment;
import dev.lamina.runner.network.NetworkRequest;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.runner.network.PortMapping;
import java.io.IOException;
import java.util.List;

/** The network parts of {@code container.json}: what a container asks, and what it was given. */
final class ContainerNetworkCodec {
  private ContainerNetworkCodec() {}

  static final JsonCodec<PortMapping> PORT =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, PortMapping p) throws IOException {
          out.startObject()
              .string("hostIp", p.hostIp())
              .number("hostPort", p.hostPort())
              .number("containerPort", p.containerPort())
              .string("protocol", p.protocol())
              .number("range", p.range())
              .endObject();
        }

        @Override
        public PortMapping read(JsonObject in) throws JsonFormatException {
          return new PortMapping(
              in.string("hostIp"),
              in.intValue("hostPort", 0),
              in.intValue("containerPort", 0),
              in.string("protocol") == null ? "tcp" : in.string("protocol"),
              in.intValue("range", 1));
        }
      };

  static final JsonCodec<NetworkRequest> REQUEST =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, NetworkRequest r) throws IOException {
          out.startObject();
          nullable(out, "containerName", r.containerName())
              .strings("networks", r.networks())
              .strings("aliases", r.aliases());
          nullable(out, "staticIp", r.staticIp())
              .list("ports", r.ports(), PORT)
              .strings("dnsServers", r.dnsServers())
              .list("connections", r.connections(), CONNECTION)
              .endObject();
        }

        @Override
        public NetworkRequest read(JsonObject in) throws JsonFormatException {
          return new NetworkRequest(
              in.string("containerName"),
              orEmpty(in.strings("networks")),
              orEmpty(in.strings("aliases")),
              in.string("staticIp"),
              in.has("ports") ? in.list("ports", PORT) : List.of(),
              orEmpty(in.strings("dnsServers")),
              in.has("connections") ? in.list("connections", CONNECTION) : List.of());
        }
      };

  static final JsonCodec<NetworkRequest.Connection> CONNECTION =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, NetworkRequest.Connection c) throws IOException {
          out.startObject().string("network", c.network()).strings("aliases", c.aliases());
          nullable(out, "staticIp", c.staticIp()).endObject();
        }

        @Override
        public NetworkRequest.Connection read(JsonObject in) throws JsonFormatException {
          return new NetworkRequest.Connection(
              in.string("network"), orEmpty(in.strings("aliases")), in.string("staticIp"));
        }
      };

  static final JsonCodec<ContainerNetwork> NETWORK =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, ContainerNetwork n) throws IOException {
          out.startObject().string("mode", n.mode().name());
          if (n.request() == null) {
            out.nullField("request");
          } else {
            out.value("request", n.request(), REQUEST);
          }
          nullable(out, "container", n.container())
              .strings("dns", n.dns())
              .strings("dnsSearch", n.dnsSearch())
              .strings("dnsOptions", n.dnsOptions())
              .strings("extraHosts", n.extraHosts())
              .endObject();
        }

        @Override
        public ContainerNetwork read(JsonObject in) throws JsonFormatException {
          ContainerNetwork.Mode mode;
          try {
            mode = ContainerNetwork.Mode.valueOf(in.string("mode"));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw in.invalid("mode", "not one of host, none, bridge, container, pasta");
          }
          return new ContainerNetwork(
              mode,
              in.has("request") ? in.read("request", REQUEST) : null,
              in.string("container"),
              in.strings("dns"),
              in.strings("dnsSearch"),
              in.strings("dnsOptions"),
              in.strings("extraHosts"));
        }
      };

  static final JsonCodec<NetworkAttachment> ATTACHMENT =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, NetworkAttachment a) throws IOException {
          out.startObject()
              .string("network", a.network())
              .string("networkId", a.networkId())
              .string("interfaceName", a.interfaceName())
              .string("address", a.address())
              .number("prefix", a.prefix());
          nullable(out, "gateway", a.gateway())
              .string("mac", a.mac())
              .strings("dnsServers", a.dnsServers())
              .strings("searchDomains", a.searchDomains())
              .strings("aliases", a.aliases())
              .endObject();
        }

        @Override
        public NetworkAttachment read(JsonObject in) throws JsonFormatException {
          return new NetworkAttachment(
              in.string("network"),
              in.string("networkId"),
              in.string("interfaceName"),
              in.string("address"),
              in.intValue("prefix", 0),
              in.string("gateway"),
              in.string("mac"),
              orEmpty(in.strings("dnsServers")),
              orEmpty(in.strings("searchDomains")),
              orEmpty(in.strings("aliases")));
        }
      };

  static final JsonCodec<NetworkStatus> STATUS =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, NetworkStatus s) throws IOException {
          out.startObject()
              .list("attachments", s.attachments(), ATTACHMENT)
              .list("ports", s.ports(), PORT)
              .endObject();
        }

        @Override
        public NetworkStatus read(JsonObject in) throws JsonFormatException {
          return new NetworkStatus(
              in.has("attachments") ? in.list("attachments", ATTACHMENT) : List.of(),
              in.has("ports") ? in.list("ports", PORT) : List.of());
        }
      };

  /** A string field, written as null when it is (nested values keep their nulls). */
  private static JsonWriter nullable(JsonWriter out, String name, String value) throws IOException {
    return value == null ? out.nullField(name) : out.string(name, value);
  }

  private static List<String> orEmpty(List<String> l) {
    return l == null ? List.of() : l;
  }
}
