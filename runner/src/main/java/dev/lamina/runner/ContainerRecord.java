package dev.lamina.runner;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What Lamina remembers of a container, in {@code containers/<id>/container.json}. Written
 * atomically and changed only under the containers lock.
 *
 * @param id 64 hex digits
 * @param command the process's argv, as the runtime spec has it
 * @param created RFC 3339
 * @param exitCode null while it has not exited, or when its exit was not observed
 * @param error why the last start failed, if it did
 * @param monitorPid the process waiting for the container (the foreground CLI or the monitor)
 * @param monitorStarted that process's start time, to tell it from a later process with its pid
 * @param lowerDirs the image's layer directories, top-most first
 * @param volumes the named and anonymous volumes it mounts
 * @param anonymousVolumes those of {@code volumes} created for it alone
 * @param oomKilled the kernel's OOM killer killed a process of it during its last run
 * @param hostname the container's host name
 * @param memoryLimit {@code --memory} in bytes, null when unlimited
 * @param openStdin {@code -i}: attached clients' input reaches its terminal
 * @param paused its processes are frozen ({@code lamina pause}) while it runs
 * @param logDropped bytes of its output that could not be written to its log (a full store),
 *     over all its runs; null when none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerRecord(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("image") String image,
    @JsonProperty("imageId") String imageId,
    @JsonProperty("command") List<String> command,
    @JsonProperty("created") String created,
    @JsonProperty("state") ContainerState state,
    @JsonProperty("exitCode") Integer exitCode,
    @JsonProperty("startedAt") String startedAt,
    @JsonProperty("finishedAt") String finishedAt,
    @JsonProperty("error") String error,
    @JsonProperty("runtime") String runtime,
    @JsonProperty("autoRemove") boolean autoRemove,
    @JsonProperty("monitorPid") Long monitorPid,
    @JsonProperty("monitorStarted") String monitorStarted,
    @JsonProperty("stopSignal") String stopSignal,
    @JsonProperty("lowerDirs") List<String> lowerDirs,
    @JsonProperty("volumes") List<String> volumes,
    @JsonProperty("anonymousVolumes") List<String> anonymousVolumes,
    @JsonProperty("oomKilled") boolean oomKilled,
    @JsonProperty("hostname") String hostname,
    @JsonProperty("memoryLimit") Long memoryLimit,
    @JsonProperty("openStdin") boolean openStdin,
    @JsonProperty("paused") boolean paused,
    @JsonProperty("logDropped") Long logDropped) {

  public ContainerRecord {
    command = command == null ? List.of() : List.copyOf(command);
    lowerDirs = lowerDirs == null ? List.of() : List.copyOf(lowerDirs);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    anonymousVolumes = anonymousVolumes == null ? List.of() : List.copyOf(anonymousVolumes);
  }

  /** The image's layer directories, top-most first. */
  public List<java.nio.file.Path> lowerPaths() {
    return lowerDirs.stream().map(java.nio.file.Path::of).toList();
  }

  /** The first 12 hex digits, as {@code ps} shows. */
  public String shortId() {
    return id.substring(0, 12);
  }

  ContainerRecord withCommand(
      List<String> c, List<String> vols, List<String> anon, String host) {
    return new ContainerRecord(
        id, name, image, imageId, c, created, state, exitCode, startedAt, finishedAt, error,
        runtime, autoRemove, monitorPid, monitorStarted, stopSignal, lowerDirs, vols, anon,
        oomKilled, host, memoryLimit, openStdin, paused, logDropped);
  }

  ContainerRecord withPaused(boolean p) {
    return new ContainerRecord(
        id, name, image, imageId, command, created, state, exitCode, startedAt, finishedAt, error,
        runtime, autoRemove, monitorPid, monitorStarted, stopSignal, lowerDirs, volumes,
        anonymousVolumes, oomKilled, hostname, memoryLimit, openStdin, p, logDropped);
  }

  ContainerRecord running(String started, long pid, String pidStarted) {
    return new ContainerRecord(
        id, name, image, imageId, command, created, ContainerState.RUNNING, null, started, null,
        null, runtime, autoRemove, pid, pidStarted, stopSignal, lowerDirs, volumes,
        anonymousVolumes, false, hostname, memoryLimit, openStdin, false, logDropped);
  }

  ContainerRecord exited(Integer code, String finished, String why, boolean oom) {
    return new ContainerRecord(
        id, name, image, imageId, command, created, ContainerState.EXITED, code, startedAt,
        finished, why, runtime, autoRemove, null, null, stopSignal, lowerDirs, volumes,
        anonymousVolumes, oom, hostname, memoryLimit, openStdin, false, logDropped);
  }

  /** With {@code bytes} of output in all left out of its log (0 leaves none recorded). */
  ContainerRecord withLogDropped(long bytes) {
    return new ContainerRecord(
        id, name, image, imageId, command, created, state, exitCode, startedAt, finishedAt, error,
        runtime, autoRemove, monitorPid, monitorStarted, stopSignal, lowerDirs, volumes,
        anonymousVolumes, oomKilled, hostname, memoryLimit, openStdin, paused,
        bytes == 0 ? null : bytes);
  }

  /** Bytes of its output left out of its log over all its runs (0 when none). */
  public long logDroppedBytes() {
    return logDropped == null ? 0 : logDropped;
  }
}
