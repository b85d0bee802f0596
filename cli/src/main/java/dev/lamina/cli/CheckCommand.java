package dev.lamina.cli;

import dev.lamina.builder.context.BuildContext;
import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.builder.lint.LintReport;
import dev.lamina.builder.lint.Linter;
import dev.lamina.builder.lint.RecipeDump;
import dev.lamina.builder.lint.Warning;
import dev.lamina.builder.parse.Parser;
import dev.lamina.builder.parse.RecipeText;
import dev.lamina.builder.recipe.Recipes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina check [-f FILE] [CONTEXT]}: parses a recipe without building it and prints
 * BuildKit-style lint warnings, or with {@code --format json} the parsed stages and instructions.
 * Exits 1 when there are warnings, as {@code docker build --check} does, and 0 when clean.
 */
@Command(name = "check", description = "Parse a recipe and report lint warnings, without building.")
final class CheckCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "The recipe (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile; - reads"
          + " stdin).")
  String file;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json (the parsed recipe and its warnings).")
  String format;

  @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT", defaultValue = ".",
      description = "The build context directory (default: the current directory).")
  Path context;

  @Override
  public Integer call() throws Exception {
    String name;
    String text;
    Path recipe = null;
    if ("-".equals(file)) {
      name = "Dockerfile";
      text = RecipeText.decode(System.in.readAllBytes());
    } else {
      recipe = file == null ? BuildContext.defaultRecipe(context) : Path.of(file);
      if (!Files.isRegularFile(recipe)) {
        throw new UserException("recipe not found: " + recipe);
      }
      name = recipe.getFileName().toString();
      text = RecipeText.read(recipe);
    }
    // Typing the instructions catches what the syntax alone lets through (bad flags, arity).
    Recipes.parse(text, name);
    IgnoreRules ignore =
        Files.isDirectory(context) ? IgnoreRules.load(context, recipe) : IgnoreRules.none();
    LintReport report = Linter.report(text, name, Set.of(), ignore);
    if (format.equals("json")) {
      Map<String, Object> out = new LinkedHashMap<>(RecipeDump.of(Parser.parse(text, name)));
      out.put("warnings", report.warnings().stream().map(w -> Map.of(
          "rule", w.ruleName(),
          "message", w.message(),
          "line", w.range().startLine(),
          "url", w.rule().url())).toList());
      Output.json(out);
    } else if (!format.equals("text")) {
      throw new UserException("invalid --format " + format + " (text or json)");
    } else {
      List<Warning> warnings = report.warnings();
      for (Warning w : warnings) {
        Output.out().println("WARNING: " + w.ruleName() + " - " + w.rule().url());
        Output.out().println(name + ":" + w.range().startLine() + " " + w.message());
      }
      if (warnings.isEmpty()) {
        Output.out().println("Check complete, no warnings found.");
      } else {
        Output.out().println("Check complete, " + warnings.size() + " warning"
            + (warnings.size() == 1 ? "" : "s") + " found.");
      }
    }
    if (report.violation().isPresent()) {
      throw new UserException(report.violation().get(), ExitCodes.CHECK_FAILED);
    }
    // As docker build --check: a recipe with warnings fails the check.
    return report.warnings().isEmpty() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }
}
