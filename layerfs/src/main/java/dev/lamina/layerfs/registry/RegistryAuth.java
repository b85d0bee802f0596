package dev.lamina.layerfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The credentials of one registry and what they earned: a Basic header, or a Bearer token from the
 * token service its {@code WWW-Authenticate} challenge names (the distribution spec's token flow).
 * The token asked for covers every scope needed so far, so one token serves a whole push (the
 * target repository plus the repositories blobs are mounted from).
 *
 * <p>The header is only ever given to requests for this registry's own origin; the client never
 * hands it to a redirect target or a foreign layer's URL.
 */
final class RegistryAuth {
  private static final int MAX_TOKEN_BYTES = 1024 * 1024;

  private final String registry;
  private final Credentials credentials;
  private final Http1Client http;
  private final Set<String> scopes = new TreeSet<>();
  private Challenge bearer;
  private String header;
  private Set<String> headerScopes = Set.of();

  RegistryAuth(String registry, Credentials credentials, Http1Client http) {
    this.registry = registry;
    this.credentials = credentials;
    this.http = http;
  }

  /** Whether credentials are known (given or stored). */
  boolean hasCredentials() {
    return credentials != null;
  }

  /** The Authorization header for a request needing {@code needed} scopes, or null. */
  synchronized String header(Set<String> needed) throws IOException {
    if (bearer != null && !headerScopes.containsAll(needed)) {
      scopes.addAll(needed);
      fetchToken();
    }
    return header;
  }

  /**
   * Answers a 401: learns the scheme from {@code challenges} and gets what it asks for.
   *
   * @param sent the Authorization header the refused request carried, or null
   * @throws RegistryException if no credentials can satisfy the challenge
   * @throws IOException if the token service fails
   */
  synchronized void challenged(List<Challenge> challenges, Set<String> needed, String sent)
      throws IOException {
    Challenge b = find(challenges, "bearer");
    if (b != null) {
      if (b.param("realm") == null) {
        throw new RegistryException(registry + ": bearer challenge without a realm", 401, null);
      }
      bearer = b;
      scopes.addAll(needed);
      String asked = b.param("scope");
      if (asked != null) {
        for (String s : asked.split(" ")) {
          if (!s.isBlank()) {
            scopes.add(s);
          }
        }
      }
      if (sent != null && sent.equals(header) && headerScopes.containsAll(scopes)) {
        throw denied();
      }
      fetchToken();
      return;
    }
    if (find(challenges, "basic") != null) {
      if (credentials == null) {
        throw new RegistryException(
            registry + " requires a login (lamina login " + registry + ", or --creds)", 401,
            "UNAUTHORIZED");
      }
      if (sent != null) {
        throw denied();
      }
      header = "Basic " + credentials.basic();
      return;
    }
    throw new RegistryException(
        registry + " asks for an authentication scheme Lamina does not support: "
            + (challenges.isEmpty() ? "(none)" : challenges.get(0).scheme()),
        401, null);
  }

  /** Whether a Bearer token can be obtained (login checks credentials this way). */
  synchronized boolean isBearer() {
    return bearer != null;
  }

  /** Gets a token for the scopes needed so far (none, for login). */
  synchronized void fetchToken() throws IOException {
    URI realm = tokenRealm();
    StringBuilder q = new StringBuilder(realm.toString());
    q.append(realm.getRawQuery() == null ? '?' : '&');
    String service = bearer.param("service");
    boolean first = true;
    if (service != null) {
      q.append("service=").append(enc(service));
      first = false;
    }
    for (String s : scopes) {
      q.append(first ? "" : "&").append("scope=").append(enc(s));
      first = false;
    }
    java.util.Map<String, String> headers = new java.util.HashMap<>();
    if (credentials != null) {
      // The registry named this token service for its own credentials: they go there, and only
      // over TLS unless it is this machine.
      headers.put("Authorization", "Basic " + credentials.basic());
    }
    Http1Client.Response r = http.send("GET", URI.create(q.toString()), headers,
        Http1Client.Body.EMPTY, Duration.ofMinutes(1));
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(MAX_TOKEN_BYTES);
    }
    if (r.status() == 401 || r.status() == 403) {
      throw denied();
    }
    if (r.status() != 200) {
      throw RegistryException.of("getting a token for " + registry, r.status(), body);
    }
    JsonNode json = Json.readTree(body);
    String token = json.path("token").asText("");
    if (token.isEmpty()) {
      token = json.path("access_token").asText("");
    }
    if (token.isEmpty()) {
      throw new RegistryException(registry + ": the token service answered without a token", 0,
          null);
    }
    header = "Bearer " + token;
    headerScopes = Set.copyOf(scopes);
  }

  private URI tokenRealm() throws RegistryException {
    URI realm;
    try {
      realm = URI.create(bearer.param("realm"));
    } catch (IllegalArgumentException e) {
      throw new RegistryException(registry + ": invalid token realm", 401, null);
    }
    String scheme = realm.getScheme();
    boolean https = "https".equalsIgnoreCase(scheme);
    boolean localHttp = "http".equalsIgnoreCase(scheme) && Hosts.isLoopback(realm.getHost());
    if (!https && !localHttp) {
      throw new RegistryException(
          registry + ": refusing token realm " + realm + " (not https)", 401, null);
    }
    return realm;
  }

  private RegistryException denied() {
    return new RegistryException(
        (credentials == null
                ? "authentication required by " + registry + " (lamina login " + registry + ")"
                : "authentication to " + registry + " failed for user " + credentials.username()),
        401,
        "UNAUTHORIZED");
  }

  private static Challenge find(List<Challenge> cs, String scheme) {
    return cs.stream().filter(c -> c.scheme().equals(scheme)).findFirst().orElse(null);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
