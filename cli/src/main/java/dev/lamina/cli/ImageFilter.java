package dev.lamina.cli;

import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Timestamps;
import dev.lamina.layerfs.store.Images.ImageSummary;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which images {@code lamina images} lists: {@code [REPOSITORY[:TAG]]}, and {@code --filter} with
 * docker's keys {@code dangling}, {@code reference} (a glob), {@code label}, {@code before} and
 * {@code since} (another image, by creation time). A short name matches an image of that name
 * under any registry ({@code busybox} matches {@code localhost/busybox} and {@code
 * docker.io/library/busybox}), as podman's do.
 */
final class ImageFilter {
  static final Set<String> KEYS = Set.of("dangling", "reference", "label", "before", "since");

  private final Filters filters;
  private final String repository;
  private final String tag;

  private ImageFilter(Filters filters, String argument) {
    this.filters = filters;
    if (argument == null) {
      repository = null;
      tag = null;
    } else {
      int colon = argument.lastIndexOf(':');
      boolean hasTag = colon > argument.lastIndexOf('/');
      repository = hasTag ? argument.substring(0, colon) : argument;
      tag = hasTag ? argument.substring(colon + 1) : null;
    }
  }

  static ImageFilter parse(List<String> values, String argument) {
    ImageFilter f = new ImageFilter(Filters.parse(values, KEYS), argument);
    f.filters.bool("dangling");
    return f;
  }

  List<ImageSummary> apply(List<ImageSummary> images, Store store) throws IOException {
    if (filters.isEmpty() && repository == null) {
      return images;
    }
    String before = created(images, "before", store);
    String since = created(images, "since", store);
    Boolean dangling = filters.bool("dangling");
    Map<String, Map<String, String>> labels = new HashMap<>();
    List<ImageSummary> out = new ArrayList<>();
    for (ImageSummary i : images) {
      boolean untagged = i.tag().equals("<none>");
      if ((repository == null || repositoryMatches(repository, i.repository())
              && (tag == null || tag.equals(i.tag())))
          && (dangling == null || dangling == untagged)
          && filters.any("reference", p -> referenceMatches(p, i))
          && (before == null || i.created() != null && chronological(i.created(), before) < 0)
          && (since == null || i.created() != null && chronological(i.created(), since) > 0)
          && (!filters.has("label")
              || filters.labels(labels.computeIfAbsent(i.id().toString(), id -> labels(store, id))))) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * Compares two image creation times as times: images written by other tools keep them in other
   * forms of RFC 3339 (a fraction of any length or none, an offset), which do not sort as text
   * ({@code ...:05Z} after {@code ...:05.5Z}). Text that is no time compares as text.
   */
  static int chronological(String a, String b) {
    try {
      return Timestamps.parse(a).compareTo(Timestamps.parse(b));
    } catch (DateTimeException e) {
      return a.compareTo(b);
    }
  }

  /** {@code busybox} names {@code localhost/busybox} and {@code docker.io/library/busybox}. */
  static boolean repositoryMatches(String given, String repository) {
    return repository.equals(given) || repository.endsWith("/" + given);
  }

  /**
   * Docker's reference filter: a glob ({@code *} within one path part, {@code ?}, {@code [...]})
   * matched against the name with and without its tag, and against its shorter forms.
   */
  static boolean referenceMatches(String pattern, ImageSummary i) {
    Pattern p = glob(pattern);
    String repo = i.repository();
    while (true) {
      if (p.matcher(repo).matches() || p.matcher(repo + ":" + i.tag()).matches()) {
        return true;
      }
      int slash = repo.indexOf('/');
      if (slash < 0) {
        return false;
      }
      repo = repo.substring(slash + 1);
    }
  }

  /** Go's path.Match pattern as a regular expression. */
  static Pattern glob(String pattern) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        case '[' -> {
          int end = pattern.indexOf(']', i + 1);
          if (end < 0) {
            throw new UserException("invalid filter 'reference=" + pattern + "': unclosed [",
                ExitCodes.USAGE);
          }
          // Go's [^a-z] is Java's too.
          re.append('[').append(pattern, i + 1, end).append(']');
          i = end;
        }
        case '\\' -> {
          if (i + 1 < pattern.length()) {
            re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /** The creation time of the image a {@code before}/{@code since} filter names. */
  private String created(List<ImageSummary> images, String key, Store store) throws IOException {
    List<String> v = filters.get(key);
    if (v.isEmpty()) {
      return null;
    }
    String ref = v.get(v.size() - 1);
    String id = store.images().resolve(ref).id().toString();
    for (ImageSummary i : images) {
      if (i.id().toString().equals(id)) {
        return i.created() == null ? "" : i.created();
      }
    }
    return "";
  }

  /** The labels of image {@code id}, none when its config cannot be read. */
  static Map<String, String> labels(Store store, String id) {
    try {
      ImageConfig c = store.images().inspect(id).config();
      Map<String, String> l = c == null || c.config() == null ? null : c.config().labels();
      return l == null ? Map.of() : l;
    } catch (IOException | RuntimeException unreadable) {
      return Map.of();
    }
  }
}
