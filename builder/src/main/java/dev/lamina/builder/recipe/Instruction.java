package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;

/**
 * One typed recipe instruction. Arguments are kept as written (quotes included); {@link
 * #expand(Expander)} returns the instruction with quotes removed and variables expanded for those
 * instructions that expand (see {@link Expander#EXPANDING_INSTRUCTIONS}).
 */
public sealed interface Instruction
    permits Add,
        Arg,
        Cmd,
        Copy,
        Entrypoint,
        Env,
        Expose,
        From,
        Healthcheck,
        Label,
        Maintainer,
        Onbuild,
        Run,
        Shell,
        Stopsignal,
        User,
        Volume,
        Workdir {

  /** The keyword in upper case, e.g. {@code RUN}. */
  String name();

  /** The lines the instruction spans. */
  SourceRange location();

  /**
   * This instruction with its arguments expanded against {@code expander}'s environment; the
   * instruction itself when it does not expand variables. Every argument is expanded against the
   * same snapshot, so {@code ENV a=1 b=$a} gives {@code b} the previous value of {@code a}.
   *
   * @throws ExpansionException if an argument is malformed or a {@code ${v?}} fails
   */
  default Instruction expand(Expander expander) throws ExpansionException {
    return this;
  }
}
