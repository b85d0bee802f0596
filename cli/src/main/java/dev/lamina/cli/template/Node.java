package dev.lamina.cli.template;

import java.util.List;

/** A parsed template: text, printed pipelines and the control structures. */
sealed interface Node {
  /** Text printed as it is. */
  record Text(String text) implements Node {}

  /** {@code {{pipeline}}}: printed, unless it declares or assigns variables. */
  record Print(Pipeline pipeline) implements Node {}

  /** {@code if}, {@code with} or {@code range}, with its {@code else} part (maybe empty). */
  record Branch(Keyword keyword, Pipeline pipeline, List<Node> then, List<Node> otherwise)
      implements Node {}

  /** {@code {{break}}} or {@code {{continue}}} inside a range. */
  record Jump(boolean isBreak) implements Node {}

  enum Keyword { IF, WITH, RANGE }

  /**
   * Commands joined by {@code |}, each command's value given as the last argument of the next;
   * {@code vars} are declared ({@code :=}) or assigned ({@code =}) the result.
   */
  record Pipeline(List<String> vars, boolean declare, List<Command> commands, String text) {}

  /** A function and its arguments, or a single operand. */
  record Command(List<Operand> operands) {}

  /** An argument: a term followed by field names ({@code $x.A.B}, {@code (index .L 0).Port}). */
  record Operand(Term term, List<String> fields) {}

  sealed interface Term {}

  /** {@code .}: the current value. */
  record Dot() implements Term {}

  /** {@code $name} ({@code $} alone is the whole data). */
  record Variable(String name) implements Term {}

  /** A function's name. */
  record Function(String name) implements Term {}

  /** A string, number, boolean or {@code nil}. */
  record Literal(Object value) implements Term {}

  /** {@code (pipeline)}. */
  record Group(Pipeline pipeline) implements Term {}
}
