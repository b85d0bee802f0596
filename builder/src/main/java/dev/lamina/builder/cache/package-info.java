/**
 * The build cache: {@link dev.lamina.builder.cache.CacheKey} (a digest over a step's content
 * inputs) and {@link dev.lamina.builder.cache.BuildCache} (records under {@code
 * $LAMINA_ROOT/cache/}, pruned by {@code system prune} through its {@code PruneHook}). Depends on
 * layerfs only.
 */
package dev.lamina.builder.cache;
