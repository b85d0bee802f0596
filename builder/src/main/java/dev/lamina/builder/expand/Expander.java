package dev.lamina.builder.expand;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Expands the variables of one instruction against a fixed environment snapshot.
 *
 * <p>The snapshot never changes while an instruction is expanded, which gives BuildKit's rule that
 * {@code ENV a=1 b=$a} sets {@code b} from the value {@code a} had <em>before</em> the instruction.
 * Only the instructions in {@link #EXPANDING_INSTRUCTIONS} expand variables; RUN, CMD, ENTRYPOINT,
 * SHELL and HEALTHCHECK leave {@code $} to the shell in the container.
 */
public final class Expander {
  /** Instructions whose arguments BuildKit expands (keywords in upper case). */
  public static final Set<String> EXPANDING_INSTRUCTIONS =
      Set.of(
          "ADD",
          "ARG",
          "COPY",
          "ENV",
          "EXPOSE",
          "FROM",
          "LABEL",
          "STOPSIGNAL",
          "USER",
          "VOLUME",
          "WORKDIR");

  /** Instructions whose arguments are split into several words after expansion. */
  public static final Set<String> SPLITTING_INSTRUCTIONS = Set.of("EXPOSE");

  private final ShellWords lexer;
  private final Map<String, String> env;

  private Expander(ShellWords lexer, Map<String, String> env) {
    this.lexer = lexer;
    this.env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
  }

  /**
   * An expander for a recipe with escape character {@code escape} and the variables {@code env}
   * (copied; an absent key is unset, an empty value is set).
   *
   * @throws IllegalArgumentException if {@code escape} is neither {@code \} nor {@code `}
   */
  public static Expander of(char escape, Map<String, String> env) {
    return new Expander(ShellWords.withEscape(escape), env);
  }

  /** Whether instruction {@code keyword} (any case) expands variables in its arguments. */
  public static boolean expands(String keyword) {
    return EXPANDING_INSTRUCTIONS.contains(keyword.toUpperCase(Locale.ROOT));
  }

  /** The same expander over another environment. */
  public Expander withEnv(Map<String, String> newEnv) {
    return new Expander(lexer, newEnv);
  }

  /** The environment snapshot (unmodifiable). */
  public Map<String, String> env() {
    return env;
  }

  /**
   * One argument as one word: quotes removed, variables expanded, spaces kept.
   *
   * @throws ExpansionException if the text is malformed or a {@code ${v?msg}} fails
   */
  public String word(String text) throws ExpansionException {
    return lexer.word(text, env);
  }

  /**
   * The body of an unquoted heredoc: variables and escapes processed, quotes left to the script.
   *
   * @throws ExpansionException as {@link #word}
   */
  public String heredoc(String body) throws ExpansionException {
    return lexer.withLiteralQuotes(true).word(body, env);
  }

  /**
   * Each argument as one word.
   *
   * @throws ExpansionException as {@link #word}
   */
  public List<String> eachWord(List<String> texts) throws ExpansionException {
    List<String> out = new ArrayList<>(texts.size());
    for (String text : texts) {
      out.add(word(text));
    }
    return List.copyOf(out);
  }

  /**
   * One argument split into words after expansion (EXPOSE).
   *
   * @throws ExpansionException as {@link #word}
   */
  public List<String> words(String text) throws ExpansionException {
    return lexer.words(text, env);
  }

  /**
   * The full lexer result, with the names of variables that were set and unset.
   *
   * @throws ExpansionException as {@link #word}
   */
  public ShellWords.Result process(String text) throws ExpansionException {
    return lexer.process(text, env);
  }
}
