package dev.lamina.builder.expand;

/** A word could not be expanded: a quote is not closed, a substitution is malformed or fails. */
public final class ExpansionException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line naming the word and what is wrong with it
   */
  public ExpansionException(String message) {
    super(message);
  }
}
