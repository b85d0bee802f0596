package dev.lamina.cli.template;

/**
 * A template that cannot be parsed (a syntax error, or a part of Go's language this engine does
 * not have, named in the message), or that failed while being applied (a field a row lacks, a
 * function given the wrong kind of value).
 */
public final class TemplateException extends RuntimeException {
  public TemplateException(String message) {
    super(message);
  }
}
