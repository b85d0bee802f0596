package dev.lamina.cli;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.ContainerState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ps --filter}, with docker's keys: {@code id} (a prefix), {@code name} (a regular
 * expression), {@code label}, {@code status}, {@code ancestor} (the image or one it was built
 * on), {@code exited} (an exit code), {@code volume} (a name or mount point), {@code network},
 * {@code before} and {@code since} (another container, by creation), {@code health} ({@code
 * starting}, {@code healthy}, {@code unhealthy}, or {@code none} without a health check).
 */
final class ContainerFilter {
  static final Set<String> KEYS = Set.of("id", "name", "label", "status", "ancestor", "exited",
      "volume", "network", "before", "since", "health");

  private static final Set<String> STATUSES =
      Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");

  private final Filters filters;

  private ContainerFilter(Filters filters) {
    this.filters = filters;
  }

  static ContainerFilter parse(List<String> values) {
    Filters f = Filters.parse(values, KEYS);
    for (String s : f.get("status")) {
      if (!STATUSES.contains(s)) {
        throw new UserException("invalid filter 'status=" + s + "' (want one of "
            + String.join(", ", new java.util.TreeSet<>(STATUSES)) + ")", ExitCodes.USAGE);
      }
    }
    for (String s : f.get("exited")) {
      try {
        Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new UserException("invalid filter 'exited=" + s + "' (want an exit code)",
            ExitCodes.USAGE);
      }
    }
    return new ContainerFilter(f);
  }

  /** A status filter lists containers in every state, as docker's does without {@code -a}. */
  boolean wantsAll() {
    return filters.has("status");
  }

  /** The records, newest first, that every filter lets through. */
  List<ContainerRecord> apply(List<ContainerRecord> records, ContainerView view,
      StoreOptions store) throws IOException {
    if (filters.isEmpty()) {
      return records;
    }
    String before = created(records, "before");
    String since = created(records, "since");
    List<List<String>> ancestors = new ArrayList<>();
    List<Digest> ancestorIds = new ArrayList<>();
    if (filters.has("ancestor")) {
      Store s = store.open();
      for (String a : filters.get("ancestor")) {
        try {
          ImageDetails d = s.images().inspect(a);
          ancestorIds.add(d.image().id());
          ancestors.add(diffIds(d.config()));
        } catch (IOException | RuntimeException noSuchImage) {
          // docker matches nothing for an image it does not have
        }
      }
    }
    List<ContainerRecord> out = new ArrayList<>();
    for (ContainerRecord r : records) {
      if (filters.any("id", v -> r.id().startsWith(v))
          && filters.any("name", v -> Filters.nameMatches(v, r.name()))
          && filters.any("status", v -> v.equals(status(r)))
          && filters.any("exited", v -> r.state() == ContainerState.EXITED
              && r.exitCode() != null && r.exitCode() == Integer.parseInt(v))
          && filters.any("network", v -> ContainerView.networks(r).contains(v)
              || InspectCommand.networkMode(r).equals(v))
          && filters.any("health", v -> v.equals(r.health() == null ? "none"
              : r.health().status()))
          && filters.any("volume", v -> usesVolume(r, view, v))
          && (!filters.has("ancestor") || descends(r, ancestorIds, ancestors))
          && (before == null || r.created().compareTo(before) < 0)
          && (since == null || r.created().compareTo(since) > 0)
          && (!filters.has("label") || filters.labels(view.labels(r)))) {
        out.add(r);
      }
    }
    return out;
  }

  /** Docker's status words: created, running, paused, exited. */
  static String status(ContainerRecord r) {
    if (r.state() == ContainerState.RUNNING && r.paused()) {
      return "paused";
    }
    return r.state().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The creation time of the container a {@code before}/{@code since} filter names. */
  private String created(List<ContainerRecord> all, String key) {
    List<String> v = filters.get(key);
    if (v.isEmpty()) {
      return null;
    }
    String ref = v.get(v.size() - 1);
    for (ContainerRecord r : all) {
      if (r.name().equals(ref) || r.id().startsWith(ref)) {
        return r.created();
      }
    }
    throw new UserException("no such container: " + ref);
  }

  private static boolean usesVolume(ContainerRecord r, ContainerView view, String v) {
    if (r.volumes().contains(v)) {
      return true;
    }
    for (Map<String, Object> m : view.mounts(r)) {
      if (v.equals(m.get("Destination")) || v.equals(m.get("Name"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the container's image is one of {@code ids}, or was built on one of {@code
   * ancestors}: its layers (the record's lower directories, named by diff id, top first) start
   * with all of the ancestor's.
   */
  private static boolean descends(ContainerRecord r, List<Digest> ids, List<List<String>> ancestors) {
    for (Digest id : ids) {
      if (id.toString().equals(r.imageId())) {
        return true;
      }
    }
    List<String> layers = new ArrayList<>();
    for (Path p : r.lowerPaths()) {
      layers.add(0, p.getFileName().toString());
    }
    for (List<String> a : ancestors) {
      if (!a.isEmpty() && layers.size() >= a.size() && layers.subList(0, a.size()).equals(a)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> diffIds(ImageConfig c) {
    List<String> out = new ArrayList<>();
    if (c != null && c.rootfs() != null && c.rootfs().diffIds() != null) {
      c.rootfs().diffIds().forEach(d -> out.add(d.hex()));
    }
    return out;
  }
}
