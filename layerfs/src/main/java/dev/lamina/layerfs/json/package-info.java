/**
 * JSON without reflection: {@link dev.lamina.layerfs.json.JsonCodec}s written by hand for the
 * types a short command reads and writes (manifests, configs, container records, runtime specs).
 * Jackson's data binding introspects every record type by reflection once per process, which
 * costs a container start more than the rest of its work; these codecs use only Jackson's
 * streaming parser and generator.
 */
package dev.lamina.layerfs.json;
