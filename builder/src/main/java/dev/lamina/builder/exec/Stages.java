package dev.lamina.builder.exec;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.recipe.Add;
import dev.lamina.builder.recipe.Copy;
import dev.lamina.builder.recipe.Instruction;
import dev.lamina.builder.recipe.Mount;
import dev.lamina.builder.recipe.Onbuild;
import dev.lamina.builder.recipe.Recipe;
import dev.lamina.builder.recipe.Run;
import dev.lamina.builder.recipe.Stage;
import dev.lamina.builder.recipe.Workdir;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The stage graph: which stages a stage needs (its FROM, {@code COPY --from}, {@code RUN
 * --mount=from=}), and so which stages a target needs. Stages nothing needs are not built.
 */
final class Stages {
  private Stages() {}

  /** The stage named {@code name} defined before {@code stage}, or null (then it is an image). */
  static Stage earlierStage(Recipe recipe, Stage stage, String name) {
    for (Stage s : recipe.stages()) {
      if (s.index() >= stage.index()) {
        break;
      }
      if (s.name() != null && s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    return null;
  }

  /**
   * The stage a {@code --from} value names (by name, any position, or by index), or null when it
   * names an image.
   */
  static Stage fromStage(Recipe recipe, String from) {
    for (Stage s : recipe.stages()) {
      if (s.name() != null && s.name().equalsIgnoreCase(from)) {
        return s;
      }
    }
    if (from.matches("\\d{1,9}")) {
      int i = Integer.parseInt(from);
      if (i < recipe.stages().size()) {
        return recipe.stages().get(i);
      }
    }
    return null;
  }

  /**
   * The stages {@code stage} needs directly, each once. Stages are told apart by their index, never
   * by record equality, which would compare all their instructions.
   */
  static List<Stage> dependencies(Recipe recipe, Stage stage, Map<String, String> globals,
      char esc) {
    StageList deps = new StageList(recipe);
    String base = expand(stage.from().image(), globals, esc);
    Stage b = earlierStage(recipe, stage, base);
    if (b != null) {
      deps.add(b);
      for (Instruction i : b.instructions()) {
        if (i instanceof Onbuild o) {
          addFrom(recipe, o.trigger(), deps, globals, esc);
        }
      }
    }
    for (Instruction i : stage.instructions()) {
      addFrom(recipe, i, deps, globals, esc);
    }
    deps.remove(stage);
    return deps.list();
  }

  /** Stages in the order added, each once, by index. */
  private static final class StageList {
    private final BitSet in;
    private final List<Stage> list = new ArrayList<>();

    StageList(Recipe recipe) {
      in = new BitSet(recipe.stages().size());
    }

    void add(Stage s) {
      if (!in.get(s.index())) {
        in.set(s.index());
        list.add(s);
      }
    }

    void remove(Stage s) {
      if (in.get(s.index())) {
        in.clear(s.index());
        for (int i = 0; i < list.size(); i++) {
          if (list.get(i).index() == s.index()) {
            list.remove(i);
            break;
          }
        }
      }
    }

    boolean contains(Stage s) {
      return in.get(s.index());
    }

    List<Stage> list() {
      return list;
    }
  }

  private static void addFrom(
      Recipe recipe, Instruction i, StageList deps, Map<String, String> globals, char esc) {
    if (i instanceof Copy c && c.from() != null) {
      Stage s = fromStage(recipe, expand(c.from(), globals, esc));
      if (s != null) {
        deps.add(s);
      }
    } else if (i instanceof Run r) {
      for (Mount m : r.mounts()) {
        String from = m instanceof Mount.Bind b ? b.from()
            : m instanceof Mount.Cache c ? c.from() : null;
        if (from != null) {
          Stage s = fromStage(recipe, expand(from, globals, esc));
          if (s != null) {
            deps.add(s);
          }
        }
      }
    }
  }

  /** Every stage {@code target} needs, itself included, dependencies before dependents. */
  static List<Stage> needed(Recipe recipe, Stage target, Map<String, String> globals, char esc)
      throws BuildException {
    StageList order = new StageList(recipe);
    visit(recipe, target, globals, esc, order, new BitSet());
    return List.copyOf(order.list());
  }

  private static void visit(Recipe recipe, Stage s, Map<String, String> globals, char esc,
      StageList done, BitSet path) throws BuildException {
    if (done.contains(s)) {
      return;
    }
    if (path.get(s.index())) {
      throw new BuildException("circular dependency between stages at stage "
          + (s.name() == null ? s.index() : s.name()));
    }
    path.set(s.index());
    for (Stage d : dependencies(recipe, s, globals, esc)) {
      visit(recipe, d, globals, esc, done, path);
    }
    path.clear(s.index());
    done.add(s);
  }

  /** BuildKit's step count of a stage: FROM an image, then each ADD, COPY, RUN and WORKDIR. */
  static int stepCount(Recipe recipe, Stage stage, Map<String, String> globals, char esc) {
    String base = expand(stage.from().image(), globals, esc);
    int total = base.equalsIgnoreCase("scratch") || earlierStage(recipe, stage, base) != null
        ? 0 : 1;
    for (Instruction i : stage.instructions()) {
      if (isStep(i)) {
        total++;
      }
    }
    return total;
  }

  /** Whether an instruction is a step of the progress output (one that touches files). */
  static boolean isStep(Instruction i) {
    return i instanceof Add || i instanceof Copy || i instanceof Run || i instanceof Workdir;
  }

  /** The label of a stage's steps: its name, {@code stage-N}, or nothing for a lone stage. */
  static String label(Recipe recipe, Stage stage) {
    if (recipe.stages().size() == 1) {
      return "";
    }
    return stage.name() != null ? stage.name() : "stage-" + stage.index();
  }

  private static String expand(String text, Map<String, String> globals, char esc) {
    try {
      return Expander.of(esc, globals).word(text);
    } catch (ExpansionException e) {
      return text;
    }
  }
}
