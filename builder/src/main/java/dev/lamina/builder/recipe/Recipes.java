package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.Node;
import dev.lamina.builder.parse.ParseException;
import dev.lamina.builder.parse.ParseResult;
import dev.lamina.builder.parse.Parser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Entry points: recipe text or file to a typed {@link Recipe}. */
public final class Recipes {
  private Recipes() {}

  /**
   * Parses a recipe file (Dockerfile/Containerfile); its file name appears in messages.
   *
   * @throws IOException if it cannot be read
   * @throws ParseException if it is malformed (message {@code file:line: reason})
   */
  public static Recipe parse(Path file) throws IOException, ParseException {
    return fromParse(Parser.parse(file));
  }

  /**
   * Parses recipe text.
   *
   * @param name the name used in messages
   * @throws ParseException if it is malformed (message {@code name:line: reason})
   */
  public static Recipe parse(String text, String name) throws ParseException {
    return fromParse(Parser.parse(text, name));
  }

  /**
   * Types the nodes of an already parsed recipe and groups them into stages.
   *
   * @throws ParseException for a malformed instruction, an instruction other than ARG before the
   *     first FROM, or a stage name used twice
   */
  public static Recipe fromParse(ParseResult parsed) throws ParseException {
    InstructionParser parser = InstructionParser.of(parsed);
    List<Arg> globalArgs = new ArrayList<>();
    List<Stage> stages = new ArrayList<>();
    Set<String> names = new HashSet<>();
    From from = null;
    List<Instruction> body = new ArrayList<>();
    for (Node node : parsed.nodes()) {
      Instruction instruction = parser.parse(node);
      if (instruction instanceof From f) {
        if (from != null) {
          stages.add(new Stage(from.stageName(), stages.size(), from, body));
        }
        if (f.stageName() != null && !names.add(f.stageName())) {
          throw parser.error(node.range(), InstructionErrors.duplicateStageName(f.stageName()));
        }
        from = f;
        body = new ArrayList<>();
      } else if (from != null) {
        body.add(instruction);
      } else if (instruction instanceof Arg a) {
        globalArgs.add(a);
      } else {
        throw parser.error(node.range(), InstructionErrors.noBuildStage());
      }
    }
    if (from == null) {
      // Only global ARGs.
      throw parser.error(
          parsed.nodes().get(parsed.nodes().size() - 1).range(), InstructionErrors.noStages());
    }
    stages.add(new Stage(from.stageName(), stages.size(), from, body));
    return new Recipe(parsed.name(), parsed.directives(), globalArgs, stages, parsed.warnings());
  }
}
