package dev.lamina.builder.exec;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.recipe.Arg;
import dev.lamina.builder.recipe.ArgDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * ARG inside a stage: each name takes its {@code --build-arg} value, else its default (expanded
 * against the stage's variables), else the global ARG's value; an argument with a value becomes
 * a variable of later instructions and of RUN's environment, never of the image.
 */
final class ArgStep {
  private ArgStep() {}

  static BuildState apply(Interpreter in, BuildState state, Arg arg) throws ExpansionException {
    List<String> history = new ArrayList<>();
    for (ArgDefinition def : arg.args()) {
      Expander e = in.expander(state);
      String name = e.word(def.name());
      in.run.consumedArgs.add(name);
      String value = null;
      if (in.run.options.buildArgs().containsKey(name)) {
        value = in.run.options.buildArgs().get(name);
      } else if (def.hasDefault()) {
        value = e.word(def.defaultValue());
      } else if (in.run.globals.values().containsKey(name)) {
        value = in.run.globals.values().get(name);
      }
      state = state.withArg(name, value);
      history.add(value == null ? name : name + "=" + value);
    }
    return state.withHistory(in.run.history("ARG " + String.join(" ", history), true));
  }
}
