package dev.lamina.builder.parse;

/** The parser's error messages, shared by the parser and its tests. */
public final class ParseErrors {
  private ParseErrors() {}

  public static String invalidEscape(String token) {
    return "invalid escape token '" + token + "' does not match ` or \\";
  }

  public static String duplicateDirective(String name) {
    return "only one " + name + " parser directive can be used";
  }

  public static String noInstructions() {
    return "file with no instructions";
  }

  public static String unterminatedHeredoc() {
    return "unterminated heredoc";
  }

  public static String notStringArray() {
    return "when using JSON array syntax, arrays must be comprised of strings only";
  }

  public static String twoArguments(String keyword) {
    return keyword + " must have two arguments";
  }

  public static String missingEquals(String word) {
    return "Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value";
  }

  public static String badHeredoc(String word) {
    return "internal lexing of heredoc produced inconsistent results: " + word;
  }
}
