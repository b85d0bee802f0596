package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InspectTemplateTest {
  private static Map<String, Object> container() {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", "exited");
    state.put("ExitCode", 3);
    state.put("Running", false);
    state.put("Error", null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", "web");
    m.put("Args", List.of("-c", "exit 3"));
    m.put("State", state);
    m.put("Labels", Map.of("b", "2", "a", "1"));
    return m;
  }

  private static String apply(String template) {
    return InspectTemplate.parse(template).apply(container());
  }

  @Test
  void fieldsPrintAsGoPrintsThem() {
    assertEquals("exited 3 false", apply("{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}"));
    assertEquals("[-c exit 3]", apply("{{.Args}}"));
    assertEquals("map[a:1 b:2]", apply("{{.Labels}}"), "keys sorted, as Go prints a map");
    assertEquals("<no value> <nil>", apply("{{.Nope.Deeper}} {{.State.Error}}"));
    assertEquals("plain text only", apply("plain text only"));
    assertEquals("name=web.", apply("name={{ .Name }}."));
  }

  @Test
  void strict_refusesAFieldTheRowLacks_asDockerDoesForItsStructs() {
    UserException e = assertThrows(UserException.class,
        () -> InspectTemplate.parse("{{.Bogus}}").strict().apply(container()));
    assertTrue(e.getMessage().contains("can't evaluate field Bogus"), e.getMessage());
    assertTrue(e.getMessage().contains("(fields: Args, Labels, Name, State)"), e.getMessage());
    assertEquals("web <no value>",
        InspectTemplate.parse("{{.Name}} {{.Labels.zz}}").strict().apply(container()),
        "inside a map value a missing key is Go's <no value>");
    assertEquals("<no value>", apply("{{.Bogus}}"), "inspect's JSON is a map: no error");
  }

  @Test
  void functions() {
    assertEquals("[\"-c\",\"exit 3\"]", apply("{{json .Args}}"));
    assertEquals("{\"a\":\"1\",\"b\":\"2\"}".length(), apply("{{json .Labels}}").length());
    assertEquals("WEB web", apply("{{upper .Name}} {{lower .Name}}"));
    assertEquals("-c, exit 3", apply("{{join .Args \", \"}}"));
    assertEquals("2", apply("{{index .Labels \"b\"}}"));
    assertTrue(apply("{{json .}}").contains("\"Name\":\"web\""), apply("{{json .}}"));
  }

  @Test
  void whatTheSubsetLacks_isRefusedClearly() {
    for (String bad :
        List.of("{{range .Args}}x{{end}}", "{{.Name | upper}}", "{{json}}", "{{", "{{ }}",
            "{{index .Labels}}", "{{join .Args \"x}}", "{{printf \"%s\" .Name}}")) {
      UserException e = assertThrows(UserException.class, () -> InspectTemplate.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("invalid --format " + bad + ": "), e.getMessage());
    }
  }
}
