package dev.lamina.runner.volume;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;

/**
 * A named volume: a directory that outlives containers.
 *
 * @param name the volume's name (64 hex digits for an anonymous volume)
 * @param created RFC 3339 creation time
 * @param anonymous created for an image VOLUME without a name; {@code rm -v} and {@code --rm}
 *     remove it with its container
 * @param directory {@code volumes/<name>}, not serialised
 */
@JsonIgnoreProperties(ignoreUnknown = true)
// The order VolumeCodec writes; without it, data binding (volume inspect) places the two derived
// properties in the order reflection happens to list the methods, which varies between runs.
@JsonPropertyOrder({"Name", "CreatedAt", "Anonymous", "Mountpoint", "Driver"})
public record Volume(
    @JsonProperty("Name") String name,
    @JsonProperty("CreatedAt") String created,
    @JsonProperty("Anonymous") boolean anonymous,
    @JsonIgnore Path directory) {

  /** Where the data lives, and what containers mount: {@code volumes/<name>/_data}. */
  @JsonProperty("Mountpoint")
  public Path mountpoint() {
    return directory == null ? null : directory.resolve("_data");
  }

  /** Always {@code local}. */
  @JsonProperty("Driver")
  public String driver() {
    return "local";
  }

  Volume at(Path dir) {
    return new Volume(name, created, anonymous, dir);
  }
}
