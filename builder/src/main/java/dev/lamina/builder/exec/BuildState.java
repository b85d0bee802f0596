package dev.lamina.builder.exec;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a stage after one instruction: the image config so far (with its history and
 * diff_ids), the layers under it, and what the recipe language tracks besides: the variables
 * instructions expand against (ENV and ARG, the later of the same name winning), the stage's
 * declared build arguments (which RUN sees and records), and whether CMD was set in this stage
 * (ENTRYPOINT clears an inherited one). Every step returns a new state; none is changed.
 *
 * @param config the image config, whose {@code rootfs.diff_ids} match {@code layers}
 * @param layers the layers, bottom first
 * @param vars the expansion environment: the image's Env and the stage's ARGs, in order
 * @param args the stage's declared build arguments with values, in declaration order
 * @param cmdSet whether CMD was given in this stage
 */
public record BuildState(
    ImageConfig config,
    List<LayerRef> layers,
    Map<String, String> vars,
    Map<String, String> args,
    boolean cmdSet) {

  public BuildState {
    layers = List.copyOf(layers);
    vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
    args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    if (config.diffIds().size() != layers.size()) {
      throw new IllegalArgumentException(
          "config lists " + config.diffIds().size() + " layers, state has " + layers.size());
    }
  }

  /** The container config part of the image config. */
  public ContainerConfig container() {
    return config.config();
  }

  /** A copy with another container config. */
  public BuildState withContainer(ContainerConfig next) {
    return new BuildState(config.withConfig(next), layers, vars, args, cmdSet);
  }

  /** A copy with another image config. */
  public BuildState withConfig(ImageConfig next) {
    return new BuildState(next, layers, vars, args, cmdSet);
  }

  /** A copy with a layer added on top and its history entry. */
  public BuildState withLayer(LayerRef layer, ImageConfig.History history) {
    List<LayerRef> next = new ArrayList<>(layers);
    next.add(layer);
    return new BuildState(
        config.withLayer(layer.diffId(), history), next, vars, args, cmdSet);
  }

  /** A copy with a history entry for a step that added no layer. */
  public BuildState withHistory(ImageConfig.History history) {
    return new BuildState(config.withHistory(history), layers, vars, args, cmdSet);
  }

  /** A copy with an expansion variable set (appended, or replaced in place). */
  public BuildState withVar(String name, String value) {
    Map<String, String> next = new LinkedHashMap<>(vars);
    next.put(name, value);
    return new BuildState(config, layers, next, args, cmdSet);
  }

  /** A copy with a declared build argument (and its expansion variable when it has a value). */
  public BuildState withArg(String name, String value) {
    Map<String, String> nextArgs = new LinkedHashMap<>(args);
    nextArgs.remove(name);
    nextArgs.put(name, value);
    Map<String, String> nextVars = new LinkedHashMap<>(vars);
    if (value != null) {
      nextVars.put(name, value);
    }
    return new BuildState(config, layers, nextVars, nextArgs, cmdSet);
  }

  /** A copy that records whether CMD was set in this stage. */
  public BuildState withCmdSet(boolean set) {
    return new BuildState(config, layers, vars, args, set);
  }

  /**
   * The identity of the root filesystem: a digest of the diff_id chain ({@code scratch} has its
   * own). Two states with equal chains have identical files, whatever their configs.
   */
  public String chainId() {
    if (layers.isEmpty()) {
      return "scratch";
    }
    Hasher h = DigestAlgorithm.SHA256.newHasher();
    for (LayerRef l : layers) {
      byte[] b = (l.diffId().toString() + "\n").getBytes(StandardCharsets.UTF_8);
      h.update(b, 0, b.length);
    }
    Digest d = h.digest();
    return d.toString();
  }

  /** The image's environment as a map (later entries of the same name win). */
  public Map<String, String> env() {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> env = container().env();
    if (env != null) {
      for (String e : env) {
        int eq = e.indexOf('=');
        if (eq > 0) {
          out.put(e.substring(0, eq), e.substring(eq + 1));
        } else if (!e.isEmpty()) {
          out.put(e, "");
        }
      }
    }
    return out;
  }
}
