package dev.lamina.builder.lint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lamina.builder.parse.Heredoc;
import dev.lamina.builder.parse.Node;
import dev.lamina.builder.parse.ParseResult;
import dev.lamina.builder.parse.ParseWarning;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parsed recipe as plain maps and lists (JSON-ready): directives, global ARGs, stages with
 * their instructions (keyword, flags, arguments, line range, heredocs) and parser warnings. It
 * works on the syntax tree alone, so it also describes recipes whose instructions are invalid.
 */
public final class RecipeDump {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RecipeDump() {}

  /** The recipe as nested {@code Map<String, Object>} / {@code List<Object>}. */
  public static Map<String, Object> of(ParseResult parsed) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("name", parsed.name());
    Map<String, Object> directives = new LinkedHashMap<>();
    directives.put("escape", String.valueOf(parsed.directives().escape()));
    directives.put("syntax", parsed.directives().syntax());
    directives.put("check", parsed.directives().check());
    root.put("directives", directives);
    List<Object> globalArgs = new ArrayList<>();
    List<Object> stages = new ArrayList<>();
    List<Object> current = null;
    for (Node node : parsed.nodes()) {
      if (node.keyword().equals("from")) {
        Map<String, Object> stage = new LinkedHashMap<>();
        stage.put("index", stages.size());
        List<String> args = node.args();
        stage.put("name", args.size() == 3 ? args.get(2).toLowerCase(Locale.ROOT) : null);
        stage.put("base", args.isEmpty() ? null : args.get(0));
        stage.put("platform", flag(node, "platform"));
        stage.put("from", node(node));
        current = new ArrayList<>();
        stage.put("instructions", current);
        stages.add(stage);
      } else if (current == null) {
        globalArgs.add(node(node));
      } else {
        current.add(node(node));
      }
    }
    root.put("globalArgs", globalArgs);
    root.put("stages", stages);
    List<Object> warnings = new ArrayList<>();
    for (ParseWarning w : parsed.warnings()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rule", w.rule());
      m.put("message", w.message());
      m.put("startLine", w.range().startLine());
      m.put("endLine", w.range().endLine());
      warnings.add(m);
    }
    root.put("warnings", warnings);
    return root;
  }

  /** {@link #of} as indented JSON. */
  public static String toJson(ParseResult parsed) {
    try {
      return JSON.writeValueAsString(of(parsed));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // maps of strings always serialize
    }
  }

  private static String flag(Node node, String name) {
    String prefix = "--" + name + "=";
    for (String f : node.flags()) {
      if (f.startsWith(prefix)) {
        return f.substring(prefix.length());
      }
    }
    return null;
  }

  private static Map<String, Object> node(Node node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("keyword", node.keyword().toUpperCase(Locale.ROOT));
    m.put("flags", node.flags());
    m.put("args", node.args());
    m.put("json", node.json());
    m.put("startLine", node.range().startLine());
    m.put("endLine", node.range().endLine());
    if (!node.heredocs().isEmpty()) {
      List<Object> docs = new ArrayList<>();
      for (Heredoc d : node.heredocs()) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", d.name());
        doc.put("expand", d.expand());
        doc.put("chomp", d.chomp());
        doc.put("content", d.content());
        docs.add(doc);
      }
      m.put("heredocs", docs);
    }
    if (node.child() != null) {
      Map<String, Object> child = node(node.child());
      m.put("trigger", child);
    }
    return m;
  }
}
