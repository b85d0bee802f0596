package dev.lamina.cli;

import dev.lamina.cli.template.Template;
import dev.lamina.cli.template.TemplateException;
import dev.lamina.layerfs.events.Event;
import dev.lamina.layerfs.events.EventJournal;
import dev.lamina.layerfs.oci.GoDuration;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lamina events [--since T] [--until T] [--filter K=V]... [--format F]}: container and
 * image events from the store's journal (there is no daemon to stream them). As docker's: with
 * {@code --since} past events first; without {@code --until} it then follows new ones until
 * interrupted; with it, it stops at that time.
 */
@Command(name = "events", description = "Show container and image events (follows new ones unless --until).")
final class EventsCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = "--since", paramLabel = "TIME", description = "Show events since a time: RFC 3339, Unix seconds, or a duration ago (10m).")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "Stop at this time (same forms); without it, follow.")
  String until;

  @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "type, event, container, image, label (KEY or KEY=VALUE); repeated keys match any value.")
  List<String> filters = new ArrayList<>();

  @Option(names = "--format", paramLabel = "FORMAT", description = "json, or a Go template ({{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Time}}).")
  String format;

  /** How often a follower looks at the journal. */
  private static final long POLL_MILLIS = 100;

  @Override
  public Integer call() throws Exception {
    Instant now = Instant.now();
    Instant from = since == null ? null : time(since, now, "--since");
    Instant to = until == null ? null : time(until, now, "--until");
    Map<String, List<String>> filter = filters(filters);
    Template template =
        format == null || format.equals("json") ? null : FormatOption.parse(format, format);
    EventJournal journal = EventJournal.at(store.root());
    long last = 0;
    for (EventJournal.Entry e : journal.read(0)) {
      last = e.seq();
      // Without --since, only what happens from now on (docker's default).
      if (from != null && !e.event().time().isBefore(from)
          && (to == null || !e.event().time().isAfter(to))) {
        print(e.event(), filter, template);
      }
    }
    while (to == null || Instant.now().isBefore(to)) {
      Thread.sleep(POLL_MILLIS);
      for (EventJournal.Entry e : journal.read(last)) {
        last = e.seq();
        if ((from == null || !e.event().time().isBefore(from))
            && (to == null || !e.event().time().isAfter(to))) {
          print(e.event(), filter, template);
        }
      }
    }
    return ExitCodes.OK;
  }

  private void print(Event e, Map<String, List<String>> filter, Template template)
      throws IOException {
    if (!matches(e, filter)) {
      return;
    }
    Map<String, Object> m = fields(e);
    if (template != null) {
      try {
        Output.out().println(template.apply(m));
      } catch (TemplateException bad) {
        throw FormatOption.invalid(format, bad);
      }
    } else if ("json".equals(format)) {
      Output.out().println(
          new String(dev.lamina.layerfs.oci.Json.mapper().writeValueAsBytes(m),
              java.nio.charset.StandardCharsets.UTF_8));
    } else {
      String attrs =
          e.attributes().entrySet().stream()
              .map(a -> a.getKey() + "=" + a.getValue())
              .collect(Collectors.joining(", "));
      Output.out().println(
          e.time() + " " + e.type() + " " + e.action() + " " + e.id()
              + (attrs.isEmpty() ? "" : " (" + attrs + ")"));
    }
    Output.out().flush();
  }

  /** Docker's event message fields. */
  static Map<String, Object> fields(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    boolean container = e.type().equals(Event.CONTAINER);
    m.put("status", e.action());
    m.put("id", e.id());
    m.put("from", container ? e.attributes().getOrDefault("image", "") : "");
    m.put("Type", e.type());
    m.put("Action", e.action());
    Map<String, Object> actor = new LinkedHashMap<>();
    actor.put("ID", e.id());
    actor.put("Attributes", e.attributes());
    m.put("Actor", actor);
    m.put("scope", "local");
    m.put("time", e.time().getEpochSecond());
    m.put("timeNano", e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano());
    // The names docker's templates use beside the JSON ones.
    m.put("Status", e.action());
    m.put("ID", e.id());
    m.put("From", m.get("from"));
    m.put("Time", e.time().getEpochSecond());
    m.put("TimeNano", m.get("timeNano"));
    return m;
  }

  private static Map<String, List<String>> filters(List<String> given) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String f : given) {
      int eq = f.indexOf('=');
      if (eq <= 0) {
        throw new UserException("invalid --filter " + f + " (want KEY=VALUE)");
      }
      String key = f.substring(0, eq);
      if (!List.of("type", "event", "container", "image", "label").contains(key)) {
        throw new UserException(
            "invalid --filter " + f + ": " + key
                + " is not one of type, event, container, image, label");
      }
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(f.substring(eq + 1));
    }
    return out;
  }

  /** Different keys must all match; values of one key, any of them (docker's rule). */
  static boolean matches(Event e, Map<String, List<String>> filter) {
    for (var f : filter.entrySet()) {
      boolean any = false;
      for (String v : f.getValue()) {
        any |= switch (f.getKey()) {
          case "type" -> e.type().equals(v);
          case "event" -> e.action().equals(v) || e.action().startsWith(v + ":");
          case "container" -> e.type().equals(Event.CONTAINER) && idOrName(e, v);
          case "image" -> e.type().equals(Event.IMAGE)
              ? idOrName(e, v)
              : v.equals(e.attributes().get("image"));
          case "label" -> label(e, v);
          default -> false;
        };
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private static boolean idOrName(Event e, String v) {
    String id = e.id().startsWith("sha256:") ? e.id().substring(7) : e.id();
    return e.id().equals(v) || (v.length() >= 3 && id.startsWith(v))
        || v.equals(e.attributes().get("name"));
  }

  private static boolean label(Event e, String v) {
    int eq = v.indexOf('=');
    return eq < 0
        ? e.attributes().containsKey(v)
        : v.substring(eq + 1).equals(e.attributes().get(v.substring(0, eq)));
  }

  /** RFC 3339, Unix seconds (with a fraction), or a Go duration before {@code now}. */
  static Instant time(String text, Instant now, String flag) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notATimestamp) {
      // Try the other forms.
    }
    if (text.matches("[0-9]+(\\.[0-9]{1,9})?")) {
      String[] parts = text.split("\\.");
      long nanos = parts.length == 2 ? Long.parseLong((parts[1] + "000000000").substring(0, 9)) : 0;
      return Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
    }
    try {
      return now.minus(GoDuration.parse(text));
    } catch (IllegalArgumentException e) {
      throw new UserException(
          "invalid " + flag + " " + text + " (an RFC 3339 time, Unix seconds or a duration)");
    }
  }
}
