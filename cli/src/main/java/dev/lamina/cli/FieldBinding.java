package dev.lamina.cli;

import java.lang.reflect.Field;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.PicocliException;

/** An option's or a parameter's value held in a field of a command or mixin object. */
final class FieldBinding implements IGetter, ISetter {
  private final Object target;
  private final Field field;

  FieldBinding(Object target, Field field) {
    this.target = target;
    this.field = field;
    field.setAccessible(true);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get() {
    try {
      return (T) field.get(target);
    } catch (IllegalAccessException e) {
      throw new PicocliException("cannot read " + field, e);
    }
  }

  @Override
  public <T> T set(T value) {
    try {
      T old = get();
      field.set(target, value);
      return old;
    } catch (IllegalAccessException | IllegalArgumentException e) {
      throw new PicocliException("cannot set " + field + " to " + value, e);
    }
  }
}
