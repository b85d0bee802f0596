package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.ref.Reference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What {@code containers-registries.conf(5)} says, as podman, buildah and skopeo read it: the
 * registries a short name is searched in ({@code unqualified-search-registries}), short-name
 * {@code [aliases]} and {@code short-name-mode}, and per-namespace {@code [[registry]]} tables
 * ({@code prefix}, {@code location}, {@code insecure}, {@code blocked}, {@code
 * [[registry.mirror]]}). The version 1 tables ({@code [registries.search]}, {@code .insecure},
 * {@code .block}) are read too.
 *
 * <p>Files, as containers-registries.conf.d(5) orders them: {@code
 * ~/.config/containers/registries.conf} and the {@code *.conf} drop-ins of {@code
 * ~/.config/containers/registries.conf.d} in name order if that file exists; else {@code
 * /etc/containers/registries.conf}, the drop-ins of {@code /etc/containers/registries.conf.d},
 * then the user's drop-ins. {@code $CONTAINERS_REGISTRIES_CONF}, when set, is read alone (so
 * that a test or a script sees only its own file). A later file replaces the search list and the
 * mode when it sets them, adds or replaces aliases, and replaces the {@code [[registry]]} of the
 * same prefix (or adds one).
 *
 * <p>Where no file sets {@code unqualified-search-registries}, a short name is looked for on
 * Docker Hub, as docker does (podman would refuse it).
 */
public final class RegistriesConf {
  /** The variable naming the one file to read. */
  public static final String VARIABLE = "CONTAINERS_REGISTRIES_CONF";

  /** How ambiguous short names are treated. */
  public enum ShortNameMode {
    /** Every search registry is tried, in order. */
    DISABLED,
    /** As disabled when nobody can be asked (Lamina never asks). */
    PERMISSIVE,
    /** A short name that could mean several images is refused. */
    ENFORCING
  }

  /** A mirror of a namespace: where to try first, and whether TLS may be skipped there. */
  public record Mirror(String location, boolean insecure) {}

  /**
   * One {@code [[registry]]} table.
   *
   * @param prefix the names it applies to: a name, a namespace, or {@code *.domain}
   * @param location where that namespace really is (empty: as named)
   */
  public record Registry(
      String prefix, String location, boolean insecure, boolean blocked, List<Mirror> mirrors,
      boolean mirrorByDigestOnly) {
    public Registry {
      mirrors = List.copyOf(mirrors);
    }

    boolean wildcard() {
      return prefix.startsWith("*.");
    }

    /** Whether this table applies to the name {@code ref} ({@code host/path[:tag][@digest]}). */
    boolean matches(String ref) {
      if (wildcard()) {
        String host = ref.contains("/") ? ref.substring(0, ref.indexOf('/')) : ref;
        return host.endsWith(prefix.substring(1));
      }
      if (!ref.startsWith(prefix)) {
        return false;
      }
      if (ref.length() == prefix.length()) {
        return true;
      }
      char next = ref.charAt(prefix.length());
      return next == '/' || next == ':' || next == '@';
    }

    /** {@code ref} rewritten from the prefix to {@code to}. */
    String rewrite(String ref, String to) {
      if (wildcard() || to.isEmpty()) {
        return ref;
      }
      return to + ref.substring(prefix.length());
    }
  }

  /** A place to pull from or push to: a registry reference and whether TLS may be skipped. */
  public record Endpoint(RegistryReference ref, boolean insecure) {}

  private static final RegistriesConf EMPTY =
      new RegistriesConf(null, null, Map.of(), List.of(), List.of());

  private final List<String> searchRegistries;
  private final ShortNameMode mode;
  private final Map<String, String> aliases;
  private final List<Registry> registries;
  private final List<Path> files;

  private RegistriesConf(List<String> search, ShortNameMode mode, Map<String, String> aliases,
      List<Registry> registries, List<Path> files) {
    this.searchRegistries = search == null ? null : List.copyOf(search);
    this.mode = mode;
    this.aliases = Map.copyOf(aliases);
    this.registries = List.copyOf(registries);
    this.files = List.copyOf(files);
  }

  /** No file at all: short names go to Docker Hub, no rewriting. */
  public static RegistriesConf empty() {
    return EMPTY;
  }

  /**
   * The configuration this user's commands see (see the class comment).
   *
   * @throws IOException if a file exists but cannot be read or is not valid
   */
  public static RegistriesConf load() throws IOException {
    return load(System.getenv(), Path.of(System.getProperty("user.home")), Path.of("/etc"));
  }

  /** {@link #load()} with the environment, home and {@code /etc} made explicit (for tests). */
  public static RegistriesConf load(Map<String, String> env, Path home, Path etc)
      throws IOException {
    String given = env.get(VARIABLE);
    if (given != null && !given.isEmpty()) {
      return read(List.of(Path.of(given)));
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path userDir =
        (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : home.resolve(".config")).resolve(
            "containers");
    Path userFile = userDir.resolve("registries.conf");
    List<Path> files = new ArrayList<>();
    if (Files.exists(userFile)) {
      // The user's own file replaces the system's, drop-ins included.
      files.add(userFile);
    } else {
      files.add(etc.resolve("containers/registries.conf"));
      files.addAll(dropIns(etc.resolve("containers/registries.conf.d")));
    }
    files.addAll(dropIns(userDir.resolve("registries.conf.d")));
    return read(files);
  }

  private static List<Path> dropIns(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
    }
  }

  /** Reads {@code files} in order, each over the ones before; missing files are passed over. */
  public static RegistriesConf read(List<Path> files) throws IOException {
    List<String> search = null;
    ShortNameMode mode = null;
    Map<String, String> aliases = new LinkedHashMap<>();
    List<Registry> registries = new ArrayList<>();
    List<Path> read = new ArrayList<>();
    for (Path f : files) {
      String text;
      try {
        text = Files.readString(f, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        continue;
      }
      read.add(f);
      RegistriesConf one = parse(text, f.toString());
      if (one.searchRegistries != null) {
        search = one.searchRegistries;
      }
      if (one.mode != null) {
        mode = one.mode;
      }
      aliases.putAll(one.aliases);
      for (Registry r : one.registries) {
        registries.removeIf(old -> old.prefix().equals(r.prefix()));
        registries.add(r);
      }
    }
    return new RegistriesConf(search, mode, aliases, registries, read);
  }

  /**
   * Parses one file's text; {@code source} names it in errors.
   *
   * @throws IOException with the source (and line) if it is not a valid registries.conf
   */
  public static RegistriesConf parse(String text, String source) throws IOException {
    Map<String, Object> root = TomlSubset.parse(text, source);
    List<String> search = null;
    ShortNameMode mode = null;
    Map<String, String> aliases = new LinkedHashMap<>();
    List<Registry> registries = new ArrayList<>();
    if (root.containsKey("unqualified-search-registries")) {
      search = strings(root.get("unqualified-search-registries"), source,
          "unqualified-search-registries");
      for (String s : search) {
        if (s.isEmpty() || s.contains("/")) {
          throw new IOException(source + ": unqualified-search-registries: " + s
              + " is not a registry host[:port]");
        }
      }
    }
    Object m = root.get("short-name-mode");
    if (m != null) {
      if (!(m instanceof String s)) {
        throw new IOException(source + ": short-name-mode must be a string");
      }
      mode = switch (s) {
        case "disabled" -> ShortNameMode.DISABLED;
        case "permissive" -> ShortNameMode.PERMISSIVE;
        case "enforcing" -> ShortNameMode.ENFORCING;
        case "" -> null;
        default -> throw new IOException(source + ": short-name-mode " + s
            + " (want disabled, permissive or enforcing)");
      };
    }
    if (root.get("aliases") instanceof Map<?, ?> a) {
      for (Map.Entry<?, ?> e : a.entrySet()) {
        if (!(e.getValue() instanceof String target)) {
          throw new IOException(source + ": alias " + e.getKey() + " must be a string");
        }
        String key = (String) e.getKey();
        if (Reference.namesRegistry(key) || key.contains(":") || key.contains("@")) {
          throw new IOException(source + ": alias " + key
              + " must be a short name without a tag or digest");
        }
        RegistryReference.parse(checkedQualified(target, source, "alias " + key));
        aliases.put(key, target);
      }
    }
    if (root.get("registry") instanceof List<?> list) {
      for (Object o : list) {
        registries.add(registry(o, source));
      }
    }
    if (root.get("registries") instanceof Map<?, ?> v1) {
      // Version 1: [registries.search], [registries.insecure], [registries.block].
      if (search != null || !registries.isEmpty()) {
        throw new IOException(source + ": mixes version 1 ([registries.*]) and version 2 tables");
      }
      search = v1List(v1, "search", source);
      for (String host : v1List(v1, "insecure", source)) {
        registries.add(new Registry(host, host, true, false, List.of(), false));
      }
      for (String host : v1List(v1, "block", source)) {
        registries.removeIf(r -> r.prefix().equals(host));
        registries.add(new Registry(host, host, false, true, List.of(), false));
      }
      if (search.isEmpty() && !v1.containsKey("search")) {
        search = null;
      }
    }
    return new RegistriesConf(search, mode, aliases, registries, List.of());
  }

  private static List<String> v1List(Map<?, ?> v1, String table, String source)
      throws IOException {
    if (v1.get(table) instanceof Map<?, ?> t && t.containsKey("registries")) {
      return strings(t.get("registries"), source, "registries." + table);
    }
    return List.of();
  }

  private static Registry registry(Object o, String source) throws IOException {
    if (!(o instanceof Map<?, ?> t)) {
      throw new IOException(source + ": [[registry]] must be a table");
    }
    String location = string(t, "location", source, "");
    String prefix = string(t, "prefix", source, location);
    if (prefix.isEmpty()) {
      throw new IOException(source + ": a [[registry]] needs a prefix or a location");
    }
    if (prefix.startsWith("*.")) {
      if (prefix.contains("/") || prefix.contains(":")) {
        throw new IOException(source + ": wildcard prefix " + prefix + " must be a domain only");
      }
    } else {
      checkedQualified(prefix, source, "prefix");
    }
    if (!location.isEmpty()) {
      checkedQualified(location, source, "location");
    } else if (!prefix.startsWith("*.")) {
      location = prefix;
    }
    boolean insecure = bool(t, "insecure", source);
    boolean blocked = bool(t, "blocked", source);
    boolean digestOnly = bool(t, "mirror-by-digest-only", source);
    Object pullFrom = t.get("pull-from-mirror");
    if ("digest-only".equals(pullFrom)) {
      digestOnly = true;
    }
    List<Mirror> mirrors = new ArrayList<>();
    if (t.get("mirror") instanceof List<?> ms) {
      for (Object mo : ms) {
        if (!(mo instanceof Map<?, ?> mt)) {
          throw new IOException(source + ": [[registry.mirror]] must be a table");
        }
        String ml = string(mt, "location", source, "");
        if (ml.isEmpty()) {
          throw new IOException(source + ": a [[registry.mirror]] of " + prefix
              + " needs a location");
        }
        mirrors.add(new Mirror(checkedQualified(ml, source, "mirror location"),
            bool(mt, "insecure", source)));
      }
    }
    return new Registry(prefix, location, insecure, blocked, mirrors, digestOnly);
  }

  private static String checkedQualified(String name, String source, String what)
      throws IOException {
    if (!Reference.namesRegistry(name + "/x")) {
      throw new IOException(source + ": " + what + " " + name + " must start with a registry host");
    }
    return name;
  }

  private static String string(Map<?, ?> t, String key, String source, String fallback)
      throws IOException {
    Object v = t.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw new IOException(source + ": " + key + " must be a string");
    }
    return s;
  }

  private static boolean bool(Map<?, ?> t, String key, String source) throws IOException {
    Object v = t.get(key);
    if (v == null) {
      return false;
    }
    if (!(v instanceof Boolean b)) {
      throw new IOException(source + ": " + key + " must be true or false");
    }
    return b;
  }

  private static List<String> strings(Object v, String source, String key) throws IOException {
    if (!(v instanceof List<?> list)) {
      throw new IOException(source + ": " + key + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw new IOException(source + ": " + key + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  /** The files read, in order. */
  public List<Path> files() {
    return files;
  }

  /** The registries short names are searched in, in order. */
  public List<String> searchRegistries() {
    return searchRegistries == null ? List.of(RegistryReference.DOCKER_HUB) : searchRegistries;
  }

  /** The short-name mode ({@link ShortNameMode#ENFORCING} unless a file says otherwise). */
  public ShortNameMode shortNameMode() {
    return mode == null ? ShortNameMode.ENFORCING : mode;
  }

  /** The aliases, short name to full name. */
  public Map<String, String> aliases() {
    return aliases;
  }

  /** The {@code [[registry]]} tables. */
  public List<Registry> registries() {
    return registries;
  }

  /**
   * The full references a name may mean, in the order to try them: itself when it names a
   * registry; else its alias; else the name in each search registry.
   *
   * @throws ShortNameException if the name is ambiguous under the enforcing mode, or no registry
   *     is configured to search
   * @throws IllegalArgumentException if {@code name} is not a valid reference
   */
  public List<RegistryReference> candidates(String name) throws ShortNameException {
    if (Reference.namesRegistry(name)) {
      return List.of(RegistryReference.parse(name));
    }
    // The tag or digest stays with the name; the alias is looked up without them.
    int at = name.indexOf('@');
    String base = at < 0 ? name : name.substring(0, at);
    String suffix = at < 0 ? "" : name.substring(at);
    int colon = base.lastIndexOf(':');
    if (colon > base.lastIndexOf('/')) {
      suffix = base.substring(colon) + suffix;
      base = base.substring(0, colon);
    }
    String alias = aliases.get(base);
    if (alias == null && base.startsWith("library/")) {
      alias = aliases.get(base.substring("library/".length()));
    }
    if (alias != null) {
      return List.of(RegistryReference.parse(alias + suffix));
    }
    List<String> search = searchRegistries();
    if (search.isEmpty()) {
      throw new ShortNameException("short name " + name
          + " cannot be resolved: no unqualified-search-registries are defined in "
          + describeFiles());
    }
    List<RegistryReference> out = new ArrayList<>();
    for (String registry : search) {
      out.add(RegistryReference.parse(registry.toLowerCase(Locale.ROOT) + "/" + name));
    }
    if (out.size() > 1 && shortNameMode() == ShortNameMode.ENFORCING) {
      throw new ShortNameException("short name " + name + " is ambiguous: it may be "
          + String.join(" or ", out.stream().map(RegistryReference::toString).toList())
          + " (short-name-mode is enforcing); use the full name");
    }
    return out;
  }

  private String describeFiles() {
    return files.isEmpty() ? "registries.conf"
        : String.join(", ", files.stream().map(Path::toString).toList());
  }

  /** The {@code [[registry]]} table for {@code ref}: the longest prefix that matches. */
  public Optional<Registry> registryFor(RegistryReference ref) {
    String name = ref.toString();
    Registry best = null;
    for (Registry r : registries) {
      if (r.matches(name) && (best == null || r.prefix().length() > best.prefix().length())) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Where to pull {@code ref} from, in order: its mirrors, then its location.
   *
   * @throws BlockedRegistryException if its {@code [[registry]]} is blocked
   */
  public List<Endpoint> pullEndpoints(RegistryReference ref) throws BlockedRegistryException {
    Optional<Registry> r = registryFor(ref);
    if (r.isEmpty()) {
      return List.of(new Endpoint(ref, false));
    }
    Registry reg = r.get();
    if (reg.blocked()) {
      throw new BlockedRegistryException(ref, reg.prefix());
    }
    String name = ref.toString();
    List<Endpoint> out = new ArrayList<>();
    if (!reg.mirrorByDigestOnly() || ref.digest() != null) {
      for (Mirror m : reg.mirrors()) {
        out.add(new Endpoint(RegistryReference.parse(reg.rewrite(name, m.location())),
            m.insecure()));
      }
    }
    out.add(new Endpoint(RegistryReference.parse(reg.rewrite(name, reg.location())),
        reg.insecure()));
    return out;
  }

  /**
   * Where to push {@code ref}: its location (mirrors are for pulls only).
   *
   * @throws BlockedRegistryException if its {@code [[registry]]} is blocked
   */
  public Endpoint pushEndpoint(RegistryReference ref) throws BlockedRegistryException {
    List<Endpoint> all = pullEndpoints(ref);
    return all.get(all.size() - 1);
  }
}
