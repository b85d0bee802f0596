package dev.lamina.layerfs.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** A user name and password (or token) for a registry. */
public record Credentials(String username, String password) {
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  /**
   * Parses {@code USER[:PASSWORD]} as {@code --creds} takes it.
   *
   * @throws IllegalArgumentException if the user name is empty
   */
  public static Credentials parse(String text) {
    int colon = text.indexOf(':');
    String user = colon < 0 ? text : text.substring(0, colon);
    if (user.isEmpty()) {
      throw new IllegalArgumentException("credentials need a user name (USER[:PASSWORD])");
    }
    return new Credentials(user, colon < 0 ? "" : text.substring(colon + 1));
  }

  /** The value of an {@code Authorization: Basic} header, and of {@code auth} in auth.json. */
  public String basic() {
    return Base64.getEncoder()
        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Decodes an {@code auth} value of auth.json.
   *
   * @throws IllegalArgumentException if it is not base64 of {@code user:password}
   */
  public static Credentials fromBasic(String base64) {
    String text = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    if (!text.contains(":")) {
      throw new IllegalArgumentException("auth entry is not base64 of user:password");
    }
    return parse(text);
  }

  @Override
  public String toString() {
    return "Credentials[" + username + ", password hidden]";
  }
}
