package dev.lamina.builder.lint;

/** The lint messages in BuildKit's wording, shared by the linter and its tests. */
public final class Messages {
  private Messages() {}

  public static String stageNameCasing(String stageName) {
    return "Stage name '" + stageName + "' should be lowercase";
  }

  public static String fromAsCasing(String from, String as) {
    return "'" + as + "' and '" + from + "' keywords' casing do not match";
  }

  public static String noEmptyContinuation() {
    return "Empty continuation line";
  }

  public static String consistentInstructionCasing(String instruction, String majority) {
    return "Command '"
        + instruction
        + "' should match the case of the command majority ("
        + majority
        + ")";
  }

  public static String duplicateStageName(String stageName) {
    return "Duplicate stage name \"" + stageName + "\", stage names should be unique";
  }

  public static String reservedStageName(String stageName) {
    return "Stage name should not use the same name as reserved stage \"" + stageName + "\"";
  }

  public static String jsonArgsRecommended(String instruction) {
    return "JSON arguments recommended for "
        + instruction
        + " to prevent unintended behavior related to OS signals";
  }

  public static String maintainerDeprecated() {
    return "Maintainer instruction is deprecated in favor of using label";
  }

  public static String undefinedArgInFrom(String arg, String suggestion) {
    String out = "FROM argument '" + arg + "' is not declared";
    return suggestion == null ? out : out + " (did you mean " + suggestion + "?)";
  }

  public static String workdirRelativePath(String workdir) {
    return "Relative workdir \""
        + workdir
        + "\" can have unexpected results if the base image"
        + " changes";
  }

  public static String undefinedVar(String name, String suggestion) {
    String out = "Usage of undefined variable '$" + name + "'";
    return suggestion == null ? out : out + " (did you mean $" + suggestion + "?)";
  }

  public static String multipleInstructionsDisallowed(String instruction) {
    return "Multiple "
        + instruction
        + " instructions should not be used in the same stage because only the last one will be"
        + " used";
  }

  public static String legacyKeyValueFormat(String instruction) {
    return "\""
        + instruction
        + " key=value\" should be used instead of legacy \""
        + instruction
        + " key value\" format";
  }

  public static String invalidDefaultArgInFrom(String baseName) {
    return "Default value for ARG " + baseName + " results in empty or invalid base image name";
  }

  public static String secretsUsedInArgOrEnv(String instruction, String key) {
    return "Do not use ARG or ENV instructions for sensitive data ("
        + instruction
        + " \""
        + key
        + "\")";
  }

  public static String redundantTargetPlatform(String platform) {
    return "Setting platform to predefined " + platform
        + " in FROM is redundant as this is the default behavior";
  }

  public static String fromPlatformFlagConstDisallowed(String platform) {
    return "FROM --platform flag should not use constant value \"" + platform + "\"";
  }

  public static String copyIgnoredFile(String instruction, String source) {
    return "Attempting to " + instruction + " file \"" + source
        + "\" that is excluded by .dockerignore";
  }

  public static String exposeProtoCasing(String port) {
    return "Defined protocol '" + port + "' in EXPOSE instruction should be lowercase";
  }

  public static String exposeInvalidFormat(String port) {
    return "EXPOSE instruction should not define an IP address or host-port mapping, found '"
        + port + "'";
  }

  public static String violation(String rules) {
    return "lint violation found for rules: " + rules;
  }
}
