package dev.lamina.builder.recipe;

/** One {@code key=value} of ENV or LABEL. */
public record KeyValue(String key, String value) {}
