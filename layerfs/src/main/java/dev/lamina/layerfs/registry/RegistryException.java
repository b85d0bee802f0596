package dev.lamina.layerfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;

/**
 * A registry answered with an error: the HTTP status and, when the body carries one, the
 * distribution spec's error code ({@code MANIFEST_UNKNOWN}, {@code UNAUTHORIZED}, ...).
 */
public class RegistryException extends IOException {
  private final int status;
  private final String code;

  public RegistryException(String message, int status, String code) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status, or 0 when no response was involved. */
  public int status() {
    return status;
  }

  /** The registry's error code, or null. */
  public String code() {
    return code;
  }

  /** Whether the thing asked for does not exist (404, or a *_UNKNOWN code). */
  public boolean isNotFound() {
    return status == 404 || (code != null && code.endsWith("_UNKNOWN"));
  }

  /**
   * An exception for a failed request: {@code what} (e.g. "pulling manifest x"), the status and
   * the first error of the registry's JSON body, if any.
   */
  static RegistryException of(String what, int status, byte[] body) {
    String code = null;
    String detail = null;
    try {
      if (body != null && body.length > 0) {
        JsonNode first = Json.readTree(body).path("errors").path(0);
        if (first.isObject()) {
          code = first.path("code").asText(null);
          detail = first.path("message").asText(null);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not a JSON error body: the status says enough
    }
    StringBuilder m = new StringBuilder(what).append(": ");
    m.append(reason(status));
    if (code != null) {
      m.append(" (").append(code);
      if (detail != null && !detail.isEmpty()) {
        m.append(": ").append(detail);
      }
      m.append(')');
    }
    return new RegistryException(m.toString(), status, code);
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "bad request (400)";
      case 401 -> "unauthorized (401)";
      case 403 -> "denied (403)";
      case 404 -> "not found (404)";
      case 405 -> "not allowed (405)";
      case 413 -> "too large (413)";
      case 416 -> "range not satisfiable (416)";
      case 429 -> "too many requests (429)";
      default -> "HTTP " + status;
    };
  }
}
