package dev.lamina.builder.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lamina.builder.parse.Parser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeDumpTest {
  private static final String RECIPE =
      "# syntax=docker/dockerfile:1\n"
          + "ARG BASE=alpine\n"
          + "FROM --platform=linux/amd64 $BASE AS Build\n"
          + "RUN --mount=type=cache,target=/c <<EOF\n"
          + "echo hi\n"
          + "EOF\n"
          + "FROM scratch\n"
          + "COPY --from=build /a \\\n"
          + "  /b\n"
          + "ONBUILD RUN x\n"
          + "BOGUS but still dumped\n";

  @Test
  @SuppressWarnings("unchecked")
  void of_describesStagesAndInstructions() throws Exception {
    Map<String, Object> dump = RecipeDump.of(Parser.parse(RECIPE, "Dockerfile"));
    assertEquals("Dockerfile", dump.get("name"));
    Map<String, Object> directives = (Map<String, Object>) dump.get("directives");
    assertEquals("docker/dockerfile:1", directives.get("syntax"));
    assertEquals("\\", directives.get("escape"));
    List<Object> globals = (List<Object>) dump.get("globalArgs");
    assertEquals(1, globals.size());
    List<Map<String, Object>> stages = (List<Map<String, Object>>) dump.get("stages");
    assertEquals(2, stages.size());
    Map<String, Object> first = stages.get(0);
    assertEquals("build", first.get("name"));
    assertEquals("$BASE", first.get("base"));
    assertEquals("linux/amd64", first.get("platform"));
    List<Map<String, Object>> firstBody = (List<Map<String, Object>>) first.get("instructions");
    Map<String, Object> run = firstBody.get(0);
    assertEquals("RUN", run.get("keyword"));
    assertEquals(List.of("--mount=type=cache,target=/c"), run.get("flags"));
    assertEquals(4, run.get("startLine"));
    assertEquals(6, run.get("endLine"));
    List<Map<String, Object>> heredocs = (List<Map<String, Object>>) run.get("heredocs");
    assertEquals("echo hi\n", heredocs.get(0).get("content"));
    Map<String, Object> second = stages.get(1);
    assertNull(second.get("name"));
    List<Map<String, Object>> body = (List<Map<String, Object>>) second.get("instructions");
    assertEquals(3, body.size());
    assertEquals(List.of("/a", "/b"), body.get(0).get("args"));
    assertEquals(8, body.get(0).get("startLine"));
    assertEquals(9, body.get(0).get("endLine"));
    assertEquals("RUN", ((Map<String, Object>) body.get(1).get("trigger")).get("keyword"));
    assertEquals("BOGUS", body.get(2).get("keyword"));
  }

  @Test
  void toJson_isValidJson() throws Exception {
    JsonNode json =
        new ObjectMapper().readTree(RecipeDump.toJson(Parser.parse(RECIPE, "Dockerfile")));
    assertEquals("FROM", json.at("/stages/1/from/keyword").asText());
    assertEquals(7, json.at("/stages/1/from/startLine").asInt());
  }
}
