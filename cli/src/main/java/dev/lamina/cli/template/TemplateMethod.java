package dev.lamina.cli.template;

import java.util.List;

/**
 * A field of a row that takes arguments, as a Go method does: docker's {@code ps} rows have
 * {@code {{.Label "com.example.key"}}}. Left out of the row's JSON.
 */
@FunctionalInterface
public interface TemplateMethod {
  /** The value for {@code args} (plain values: strings, numbers, booleans, lists, maps). */
  Object call(List<Object> args);
}
