package dev.lamina.cli.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Docker's documented {@code --format} examples (docs.docker.com "Format command and log output",
 * and the inspect, ps and images references), applied to values shaped as docker's.
 */
class TemplateTest {
  /** A container as inspect shows one, decoded from JSON into plain values. */
  private static Map<String, Object> container() {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", "running");
    state.put("Running", true);
    state.put("ExitCode", 0L);
    state.put("Pid", 4242L);
    state.put("Error", "");
    state.put("Health", null);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("Env", List.of("PATH=/usr/bin", "HOME=/root"));
    config.put("Labels", map("com.example.version", "1.0", "a", "x"));
    config.put("Image", "ubuntu:latest");
    Map<String, Object> bridge = map("IPAddress", "10.88.0.5", "Gateway", "10.88.0.1");
    Map<String, Object> ports = new LinkedHashMap<>();
    ports.put("80/tcp", List.of(map("HostIp", "0.0.0.0", "HostPort", "8080")));
    ports.put("443/tcp", List.of(map("HostIp", "0.0.0.0", "HostPort", "8443")));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", "/Web_Server");
    m.put("Args", List.of("-c", "exit 3"));
    m.put("State", state);
    m.put("Config", config);
    m.put("Mounts", List.of(map("Type", "volume", "Source", "/v/data", "Destination", "/data")));
    m.put("NetworkSettings", map("Networks", Map.of("bridge", bridge), "Ports", ports));
    m.put("Ratio", 0.25);
    m.put("RestartCount", 3L);
    return m;
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static String apply(String template) {
    return Template.parse(template).apply(container());
  }

  @Test
  void docsFunctions() {
    assertEquals("-c , exit 3", apply("{{join .Args \" , \"}}"));
    assertEquals("[{\"Type\":\"volume\",\"Source\":\"/v/data\",\"Destination\":\"/data\"}]",
        apply("{{json .Mounts}}"));
    assertEquals("/web_server", apply("{{lower .Name}}"));
    assertEquals("[ubuntu latest]", apply("{{split .Config.Image \":\"}}"));
    assertEquals("/Web_server", apply("{{title (lower .Name)}}"));
    assertEquals("Hello World-Wide", apply("{{title \"hello world-wide\"}}"));
    assertEquals("/WEB_SERVER", apply("{{upper .Name}}"));
    assertEquals("PATH=/usr/bin\nHOME=/root\n", apply("{{range .Config.Env}}{{println .}}{{end}}"));
    assertEquals("1.0", apply("{{index .Config.Labels \"com.example.version\"}}"));
    assertEquals("2 2", apply("{{len .Config.Env}} {{len .Args}}"));
    assertEquals("pid 4242 ratio 0.25 '/Web_Server' 00003",
        apply("{{printf \"pid %d ratio %.2f '%s' %05d\" .State.Pid .Ratio .Name .RestartCount}}"));
    assertEquals("\"running\"|  4242|", apply("{{printf \"%q|%6v|\" .State.Status .State.Pid}}"));
    assertEquals("a b\n", apply("{{println \"a\" \"b\"}}"));
    assertEquals("/We", apply("{{truncate .Name 3}}"));
    assertEquals("  x ", apply("{{pad \"x\" 2 1}}"));
  }

  @Test
  void docsFormattingPage() {
    assertEquals("[-c exit 3]", apply("{{split (join .Args \"/\") \"/\"}}"));
    assertEquals("10.88.0.5\n",
        apply("{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}"));
    Map<String, Object> image = map("ID", "4e0f52c5e7a1", "Repository", "busybox", "Tag", "latest",
        "Size", "2.13MB");
    Template table = Template.parse("{{.ID}}\t{{.Repository}}\t{{.Tag}}\t{{.Size}}");
    assertEquals("IMAGE ID       REPOSITORY   TAG       SIZE\n"
            + "4e0f52c5e7a1   busybox      latest    2.13MB\n",
        TabWriter.align(table.header(Map.of("ID", "IMAGE ID", "Repository", "REPOSITORY",
            "Tag", "TAG", "Size", "SIZE")) + "\n" + table.applyToRow(image) + "\n"));
  }

  @Test
  void docsInspectExamples() {
    assertEquals("10.88.0.5",
        apply("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"));
    assertEquals(" 443/tcp -> 8443  80/tcp -> 8080 ",
        apply("{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{(index $conf 0).HostPort}}"
            + " {{end}}"), "map keys in sorted order, as Go ranges over maps");
    assertEquals("{\"IPAddress\":\"10.88.0.5\",\"Gateway\":\"10.88.0.1\"}",
        apply("{{json .NetworkSettings.Networks.bridge}}"));
    assertEquals("a=x com.example.version=1.0 ",
        apply("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}"));
  }

  @Test
  void controlStructures() {
    assertEquals("up", apply("{{if .State.Running}}up{{else}}down{{end}}"));
    assertEquals("no error", apply("{{if .State.Error}}{{.State.Error}}{{else}}no error{{end}}"));
    assertEquals("two", apply("{{if eq .State.ExitCode 1}}one{{else if not .State.Running}}zero"
        + "{{else if gt .RestartCount 2}}two{{else}}other{{end}}"));
    assertEquals("running/4242", apply("{{with .State}}{{.Status}}/{{.Pid}}{{end}}"));
    assertEquals("healthless", apply("{{with .State.Health}}{{.Status}}{{else}}healthless{{end}}"));
    assertEquals("0:-c 1:exit 3 ", apply("{{range $i, $a := .Args}}{{$i}}:{{$a}} {{end}}"));
    assertEquals("none", apply("{{range .Nope}}x{{else}}none{{end}}"));
    assertEquals("-c", apply("{{range .Args}}{{.}}{{break}}{{end}}"));
    assertEquals("exit 3", apply("{{range .Args}}{{if eq . \"-c\"}}{{continue}}{{end}}{{.}}{{end}}"));
    assertEquals("/Web_Server /Web_Server", apply("{{$n := .Name}}{{with .State}}{{$n}} {{$.Name}}{{end}}"));
    assertEquals("b", apply("{{$x := \"a\"}}{{$x = \"b\"}}{{$x}}"));
    assertEquals("/WEB_SERVER", apply("{{.Name | upper}}"));
    assertEquals("a b!", apply("{{\"a b\" | printf \"%s!\"}}"));
    assertEquals("2", apply("{{.Args | len}}"));
    assertEquals("axb", apply("a  {{- \"x\" -}} \n b"));
    assertEquals("  x  -y", apply("{{\"  \"}} {{- \"x\" }}  -  {{- \"y\" -}}  "),
        "trim markers trim text, not printed values");
    assertEquals("ab", apply("a{{/* a comment */}}b"));
    assertEquals("true false", apply("{{and 1 .State.Running}} {{or 0 \"\" false}}"));
  }

  @Test
  void valuesPrintAsGoPrintsThem() {
    assertEquals("running 0 true", apply("{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}"));
    assertEquals("[-c exit 3]", apply("{{.Args}}"));
    assertEquals("map[a:x com.example.version:1.0]", apply("{{.Config.Labels}}"));
    assertEquals("<no value> <nil> 0.25", apply("{{.Nope.Deeper}} {{.State.Health}} {{.Ratio}}"));
    assertEquals("<no value>", apply("{{index .Config.Labels \"missing\"}}"));
    assertEquals("plain text only", apply("plain text only"));
  }

  @Test
  void rows_refuseAFieldTheyLack_andCallMethods() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("Names", "web");
    row.put("Labels", "a=1,b=2");
    TemplateMethod label = args -> Map.of("a", "1", "b", "2").getOrDefault((String) args.get(0), "");
    row.put("Label", label);
    TemplateException e = assertThrows(TemplateException.class,
        () -> Template.parse("{{.Bogus}}").applyToRow(row));
    assertEquals("can't evaluate field Bogus (fields: Label, Labels, Names)", e.getMessage());
    assertEquals("web 2", Template.parse("{{.Names}} {{.Label \"b\"}}").applyToRow(row));
    assertEquals("{\"Names\":\"web\",\"Labels\":\"a=1,b=2\"}",
        Template.parse("{{json .}}").applyToRow(row), "methods are not fields of the JSON");
  }

  @Test
  void headerRow_isDockersTitles() {
    Template t = Template.parse("{{.ID}}\t{{upper .Names}}\t{{json .Labels}}\t{{.Nope}}|");
    assertEquals("CONTAINER ID\tNAMES\tLABELS\t|",
        t.header(Map.of("ID", "CONTAINER ID", "Names", "NAMES", "Labels", "LABELS")));
  }

  @Test
  void tabWriter_alignsAsGoTabwriterWithDockersSettings() {
    assertEquals(
        "IMAGE ID       REPOSITORY           TAG\n"
            + "4e0f52c5e7a1   busybox              latest\n"
            + "0123           a-much-longer-name   1\n",
        TabWriter.align("IMAGE ID\tREPOSITORY\tTAG\n4e0f52c5e7a1\tbusybox\tlatest\n"
            + "0123\ta-much-longer-name\t1\n"));
    assertEquals("A                B\nlonger-than-10   x\n",
        TabWriter.align("A\tB\nlonger-than-10\tx\n"), "width = widest cell + 3");
    assertEquals("ab        c\nno tabs here\n", TabWriter.align("ab\tc\nno tabs here\n"),
        "minimum width 10; a line without a tab ends the column");
  }

  @Test
  void whatIsMissing_isRefusedByName() {
    assertRefused("{{define \"x\"}}y{{end}}", "{{define}} (named templates) is not supported");
    assertRefused("{{template \"x\"}}", "{{template}} (named templates) is not supported");
    assertRefused("{{html .Name}}", "function \"html\" is not supported");
    assertRefused("{{bogus .Name}}", "function \"bogus\" not defined");
    assertRefused("{{", "unclosed action");
    assertRefused("{{ }}", "missing value for command");
    assertRefused("{{if .A}}x", "{{if}} has no {{end}}");
    assertRefused("{{end}}", "unexpected {{end}}");
    assertRefused("{{join .Args \"x}}", "unterminated quoted string");
    assertRefused("{{break}}", "{{break}} outside {{range}}");
    assertRefused("{{'a'}}", "character constants are not supported");
    TemplateException e = assertThrows(TemplateException.class, () -> apply("{{index .Config.Labels}}x{{index .Args 5}}"));
    assertEquals("error calling index: index out of range: 5", e.getMessage());
    e = assertThrows(TemplateException.class, () -> apply("{{.Name 1}}"));
    assertTrue(e.getMessage().startsWith("can't give argument to non-function .Name"), e.getMessage());
    e = assertThrows(TemplateException.class, () -> apply("{{$nope}}"));
    assertEquals("undefined variable: $nope", e.getMessage());
  }

  private static void assertRefused(String template, String why) {
    TemplateException e = assertThrows(TemplateException.class, () -> Template.parse(template));
    assertTrue(e.getMessage().contains(why), template + ": " + e.getMessage());
  }
}
