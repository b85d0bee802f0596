package dev.lamina.builder.copy;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --chmod} value: octal ({@code 0755}, at most {@code 07777}) or symbolic as chmod(1)
 * takes it ({@code u+x,go-w}, {@code a=rX}, {@code g=u}). Octal modes replace the permission bits;
 * symbolic ones change the source file's bits.
 */
public final class Chmod {
  private final Integer octal;
  private final List<Clause> clauses;
  private final String text;

  private record Clause(int who, char op, int perms, char copyFrom, boolean conditionalX) {}

  private Chmod(Integer octal, List<Clause> clauses, String text) {
    this.octal = octal;
    this.clauses = clauses;
    this.text = text;
  }

  /**
   * Parses a {@code --chmod} value.
   *
   * @throws IllegalArgumentException with BuildKit's message for a malformed value
   */
  public static Chmod parse(String text) {
    if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
      int value;
      try {
        value = Integer.parseInt(text, 8);
      } catch (NumberFormatException e) {
        throw nonOctal(text);
      }
      if (value > 07777) {
        throw nonOctal(text);
      }
      return new Chmod(value, List.of(), text);
    }
    List<Clause> clauses = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      int i = 0;
      int who = 0;
      while (i < part.length() && "ugoa".indexOf(part.charAt(i)) >= 0) {
        who |= switch (part.charAt(i)) {
          case 'u' -> 04700;
          case 'g' -> 02070;
          case 'o' -> 01007;
          default -> 07777;
        };
        i++;
      }
      if (i >= part.length()) {
        throw invalid(text);
      }
      while (i < part.length()) {
        char op = part.charAt(i);
        if (op != '+' && op != '-' && op != '=') {
          throw invalid(text);
        }
        i++;
        int perms = 0;
        char copy = 0;
        boolean condX = false;
        if (i < part.length() && "ugo".indexOf(part.charAt(i)) >= 0) {
          copy = part.charAt(i++);
        } else {
          while (i < part.length() && "rwxXst".indexOf(part.charAt(i)) >= 0) {
            switch (part.charAt(i)) {
              case 'r' -> perms |= 0444;
              case 'w' -> perms |= 0222;
              case 'x' -> perms |= 0111;
              case 'X' -> condX = true;
              case 's' -> perms |= 06000;
              default -> perms |= 01000;
            }
            i++;
          }
        }
        clauses.add(new Clause(who, op, perms, copy, condX));
      }
    }
    return new Chmod(null, List.copyOf(clauses), text);
  }

  /** The new permission bits of a file or directory whose bits were {@code mode}. */
  public int apply(int mode, boolean directory) {
    if (octal != null) {
      return octal;
    }
    int m = mode & 07777;
    for (Clause c : clauses) {
      // No "who" means all: Lamina applies no umask, as BuildKit.
      int who = c.who == 0 ? 07777 : c.who;
      int perms = c.perms;
      if (c.copyFrom != 0) {
        int shift = switch (c.copyFrom) {
          case 'u' -> 6;
          case 'g' -> 3;
          default -> 0;
        };
        int bits = (m >> shift) & 7;
        perms = bits * 0111;
      }
      if (c.conditionalX && (directory || (m & 0111) != 0)) {
        perms |= 0111;
      }
      switch (c.op) {
        case '+' -> m |= perms & who;
        case '-' -> m &= ~(perms & who);
        default -> m = (m & ~who) | (perms & who);
      }
    }
    return m & 07777;
  }

  @Override
  public String toString() {
    return text;
  }

  private static IllegalArgumentException nonOctal(String text) {
    return new IllegalArgumentException(
        "invalid chmod parameter: '" + text + "'. it should be octal string and between 0 and 07777");
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("invalid chmod parameter: '" + text + "'");
  }
}
