package dev.lamina.builder.exec;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.expand.ShellWords;
import dev.lamina.builder.parse.ParseException;
import dev.lamina.builder.parse.ParseResult;
import dev.lamina.builder.parse.Parser;
import dev.lamina.builder.recipe.Add;
import dev.lamina.builder.recipe.Arg;
import dev.lamina.builder.recipe.Cmd;
import dev.lamina.builder.recipe.Copy;
import dev.lamina.builder.recipe.Entrypoint;
import dev.lamina.builder.recipe.Env;
import dev.lamina.builder.recipe.Expose;
import dev.lamina.builder.recipe.From;
import dev.lamina.builder.recipe.Healthcheck;
import dev.lamina.builder.recipe.Instruction;
import dev.lamina.builder.recipe.InstructionParser;
import dev.lamina.builder.recipe.Label;
import dev.lamina.builder.recipe.Maintainer;
import dev.lamina.builder.recipe.Onbuild;
import dev.lamina.builder.recipe.Run;
import dev.lamina.builder.recipe.Shell;
import dev.lamina.builder.recipe.Stage;
import dev.lamina.builder.recipe.Stopsignal;
import dev.lamina.builder.recipe.User;
import dev.lamina.builder.recipe.Volume;
import dev.lamina.builder.recipe.Workdir;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.runner.spec.RuntimeSpecs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds one stage: resolves its base (scratch, an earlier stage or an image of the store), runs
 * the base's ONBUILD triggers, then applies each instruction to the state in turn. {@link
 * #apply} dispatches on the instruction's type to one small step class per kind.
 */
final class Interpreter {
  final BuildRun run;
  final Stage stage;
  private final String stageLabel;
  /** The stage's steps: its own, then its base's ONBUILD triggers once they are known. */
  private int total;
  private int index;
  /** The text of the ONBUILD trigger being applied, or null. */
  private String onbuildText;

  Interpreter(BuildRun run, Stage stage, String stageLabel, int total) {
    this.run = run;
    this.stage = stage;
    this.stageLabel = stageLabel;
    this.total = total;
  }

  /**
   * Builds the stage to its final state.
   *
   * @throws IOException if a step fails
   * @throws InterruptedException if interrupted while a RUN step runs
   */
  BuildState build() throws IOException, InterruptedException {
    From from = stage.from();
    String base;
    try {
      base = from.expand(Expander.of(run.escape(), run.globals.values())).image();
    } catch (ExpansionException e) {
      throw at(from, e.getMessage());
    }
    if (base.isEmpty()) {
      throw at(from, "base name (" + from.image() + ") should not be blank");
    }
    BuildState state;
    List<Onbuild> triggers = new ArrayList<>();
    Stage baseStage = Stages.earlierStage(run.recipe, stage, base);
    if (base.equalsIgnoreCase("scratch")) {
      state = new BuildState(ImageConfig.empty(null), List.of(), Map.of(), Map.of(), false);
      // BuildKit's empty image starts in the root directory (dockerfile2llb emptyImage).
      state = state.withContainer(state.container().toBuilder().workingDir("/").build());
    } else if (baseStage != null) {
      state = run.stageResult(baseStage);
      for (Instruction i : baseStage.instructions()) {
        if (i instanceof Onbuild o) {
          triggers.add(o);
        }
      }
      state = state.withContainer(state.container().toBuilder().onBuild(null).build())
          .withCmdSet(false);
    } else {
      Progress.Step step = begin("FROM " + base);
      try {
        state = run.imageState(base);
      } catch (IOException e) {
        step.failed(e.getMessage());
        throw at(from, e.getMessage());
      }
      step.done();
      List<String> onBuild = state.container().onBuild();
      if (onBuild != null) {
        for (String expression : onBuild) {
          triggers.add(new Onbuild(parseTrigger(expression), expression, from.location()));
        }
      }
      state = state.withContainer(state.container().toBuilder().onBuild(null).build());
    }
    if (baseStage == null) {
      state = withDefaultPath(state);
      // The variables of a new stage are its image's environment; ARGs come from the recipe.
      state = new BuildState(state.config(), state.layers(), state.env(), Map.of(), false);
    }
    for (Onbuild trigger : triggers) {
      if (Stages.isStep(trigger.trigger())) {
        total++;
      }
    }
    for (Onbuild trigger : triggers) {
      // Shown as BuildKit shows it: the trigger's own text, after ONBUILD.
      onbuildText = trigger.expression();
      try {
        state = apply(state, trigger.trigger(), true);
      } finally {
        onbuildText = null;
      }
    }
    for (Instruction instruction : stage.instructions()) {
      state = apply(state, instruction, false);
    }
    return state;
  }

  /** BuildKit adds Docker's default PATH to an image that sets none. */
  private static BuildState withDefaultPath(BuildState state) {
    if (state.env().containsKey("PATH")) {
      return state;
    }
    List<String> env = new ArrayList<>(
        state.container().env() == null ? List.of() : state.container().env());
    env.add(RuntimeSpecs.DEFAULT_PATH);
    return state.withContainer(state.container().toBuilder().env(env).build());
  }

  private Instruction parseTrigger(String expression) throws IOException {
    try {
      ParseResult parsed = Parser.parse(expression, "ONBUILD");
      if (parsed.nodes().size() != 1) {
        throw new BuildException("onbuild trigger should be a single expression: " + expression);
      }
      return InstructionParser.of(parsed).parse(parsed.nodes().get(0));
    } catch (ParseException e) {
      throw new BuildException("invalid ONBUILD trigger of the base image: " + e.getMessage());
    }
  }

  /**
   * Applies one instruction: expands it where the language expands, then hands it to its step.
   *
   * @throws IOException if the step fails
   * @throws InterruptedException if interrupted while a command runs
   */
  BuildState apply(BuildState state, Instruction raw, boolean trigger)
      throws IOException, InterruptedException {
    try {
      if (raw instanceof Arg a) {
        return ArgStep.apply(this, state, a);
      }
      Instruction i = raw.expand(expander(state));
      if (i instanceof Env e) {
        return ConfigSteps.env(this, state, e);
      } else if (i instanceof Label l) {
        return ConfigSteps.label(this, state, l);
      } else if (i instanceof Maintainer m) {
        return ConfigSteps.maintainer(this, state, m);
      } else if (i instanceof Expose e) {
        return ConfigSteps.expose(this, state, e);
      } else if (i instanceof User u) {
        return ConfigSteps.user(this, state, u);
      } else if (i instanceof Volume v) {
        return ConfigSteps.volume(this, state, v);
      } else if (i instanceof Stopsignal s) {
        return ConfigSteps.stopsignal(this, state, s);
      } else if (i instanceof Shell s) {
        return ConfigSteps.shell(this, state, s);
      } else if (i instanceof Cmd c) {
        return ConfigSteps.cmd(this, state, c);
      } else if (i instanceof Entrypoint e) {
        return ConfigSteps.entrypoint(this, state, e);
      } else if (i instanceof Healthcheck h) {
        return ConfigSteps.healthcheck(this, state, h);
      } else if (i instanceof Onbuild o) {
        return ConfigSteps.onbuild(this, state, o);
      } else if (i instanceof Workdir w) {
        return WorkdirStep.apply(this, state, w);
      } else if (i instanceof Copy c) {
        return CopyStep.copy(this, state, c);
      } else if (i instanceof Add a) {
        return CopyStep.add(this, state, a);
      } else if (i instanceof Run r) {
        return RunStep.apply(this, state, r);
      } else if (i instanceof From f) {
        throw at(f, "FROM inside a stage");
      }
      throw new AssertionError("unhandled instruction " + i.name());
    } catch (ExpansionException e) {
      throw at(raw, e.getMessage());
    } catch (BuildException | dev.lamina.builder.copy.CopySourceException e) {
      if (e.getMessage().startsWith(run.recipe.name() + ":")) {
        throw e;
      }
      throw at(raw, e.getMessage());
    }
  }

  /** An expander over the state's variables. */
  Expander expander(BuildState state) {
    return Expander.of(run.escape(), state.vars());
  }

  /** Starts a numbered step: {@code [stage k/n] TEXT}. */
  Progress.Step begin(String text) {
    index++;
    run.steps.incrementAndGet();
    String of = Integer.toString(Math.max(total, index));
    String at = Integer.toString(index);
    // Padded by hand: String.format's first use costs a short build several milliseconds.
    String counter = " ".repeat(of.length() - at.length()) + at + "/" + of;
    String label = stageLabel.isEmpty() ? "[" + counter + "] " : "[" + stageLabel + " " + counter
        + "] ";
    return run.progress.begin(label + text);
  }

  /**
   * The instruction as written, keyword upper-cased and variables expanded, for progress; an
   * ONBUILD trigger of the base as {@code ONBUILD} and its own text.
   */
  String display(Instruction i, BuildState state) {
    String original = onbuildText != null ? onbuildText.strip()
        : run.originals.getOrDefault(i.location().startLine(), i.name());
    int space = original.indexOf(' ');
    String text = space < 0 ? original.toUpperCase(Locale.ROOT)
        : original.substring(0, space).toUpperCase(Locale.ROOT) + original.substring(space);
    if (onbuildText != null) {
      text = "ONBUILD " + text;
    }
    try {
      return ShellWords.withEscape(run.escape()).withRawQuotes(true).withSkipUnset(true)
          .word(text, state.vars());
    } catch (ExpansionException e) {
      return text;
    }
  }

  /**
   * A build error located at instruction {@code i}; one of an ONBUILD trigger at the stage's
   * FROM, as BuildKit locates it (the trigger's own line is in another recipe, or in none).
   */
  BuildException at(Instruction i, String message) {
    int line = onbuildText != null ? stage.from().location().startLine()
        : i.location().startLine();
    return new BuildException(run.recipe.name() + ":" + line + ": "
        + (onbuildText != null ? "ONBUILD " : "") + i.name() + ": " + message);
  }
}
