package dev.lamina.builder.exec;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.recipe.Arg;
import dev.lamina.builder.recipe.ArgDefinition;
import dev.lamina.layerfs.oci.Platform;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The build arguments visible before the first stage: the automatic platform arguments
 * ({@code TARGETPLATFORM}, {@code BUILDARCH}...) and the recipe's global ARGs with their {@code
 * --build-arg} values or defaults. FROM lines expand against them, and a stage's {@code ARG NAME}
 * without a default takes its value from here.
 */
final class GlobalArgs {
  /** Arguments every build defines, whether declared or not; they are never "unused". */
  static final Set<String> PREDEFINED =
      Set.of(
          "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
          "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "SOURCE_DATE_EPOCH");

  private final Map<String, String> values;
  private final Set<String> automatic;

  private GlobalArgs(Map<String, String> values, Set<String> automatic) {
    this.values = Collections.unmodifiableMap(values);
    this.automatic = automatic;
  }

  /**
   * Evaluates the global ARGs in order: each takes its {@code --build-arg} value, else its
   * default expanded against the arguments before it.
   *
   * @throws ExpansionException if a default is malformed
   */
  static GlobalArgs evaluate(
      List<Arg> globalArgs, Map<String, String> buildArgs, char escape, Set<String> consumed)
      throws ExpansionException {
    Map<String, String> values = new LinkedHashMap<>(platformArgs(Platform.host()));
    Set<String> automatic = new LinkedHashSet<>(values.keySet());
    for (Arg arg : globalArgs) {
      for (ArgDefinition def : arg.args()) {
        Expander e = Expander.of(escape, values);
        String name = e.word(def.name());
        consumed.add(name);
        if (buildArgs.containsKey(name)) {
          values.put(name, buildArgs.get(name));
        } else if (def.hasDefault()) {
          values.put(name, e.word(def.defaultValue()));
        }
      }
    }
    return new GlobalArgs(values, automatic);
  }

  /** The values (automatic ones included). */
  Map<String, String> values() {
    return values;
  }

  /** Whether {@code name} is an automatic platform argument. */
  boolean isAutomatic(String name) {
    return automatic.contains(name);
  }

  /** BuildKit's automatic platform arguments for a build on and for {@code p}. */
  static Map<String, String> platformArgs(Platform p) {
    Map<String, String> m = new LinkedHashMap<>();
    String os = p.os().toLowerCase(Locale.ROOT);
    String arch = p.architecture();
    String variant = p.variant() == null ? "" : p.variant();
    String platform = os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant);
    for (String side : new String[] {"BUILD", "TARGET"}) {
      m.put(side + "PLATFORM", platform);
      m.put(side + "OS", os);
      m.put(side + "ARCH", arch);
      m.put(side + "VARIANT", variant);
    }
    return m;
  }
}
