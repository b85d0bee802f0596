package dev.lamina.builder.lint;

/** The lint rules, named and described as in BuildKit's Dockerfile checks. */
public enum Rule {
  STAGE_NAME_CASING("StageNameCasing", "Stage names should be lowercase"),
  FROM_AS_CASING("FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword"),
  NO_EMPTY_CONTINUATION(
      "NoEmptyContinuation", "Empty continuation lines will become errors in a future release"),
  CONSISTENT_INSTRUCTION_CASING(
      "ConsistentInstructionCasing",
      "All commands within the Dockerfile should use the same casing (either upper or lower)"),
  DUPLICATE_STAGE_NAME("DuplicateStageName", "Stage names should be unique"),
  RESERVED_STAGE_NAME("ReservedStageName", "Reserved words should not be used as stage names"),
  JSON_ARGS_RECOMMENDED(
      "JSONArgsRecommended",
      "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS"
          + " signals"),
  MAINTAINER_DEPRECATED(
      "MaintainerDeprecated",
      "The MAINTAINER instruction is deprecated, use a label instead to define an image author"),
  UNDEFINED_ARG_IN_FROM("UndefinedArgInFrom", "FROM command must use declared ARGs"),
  WORKDIR_RELATIVE_PATH(
      "WorkdirRelativePath",
      "Relative workdir without an absolute workdir declared within the build can have"
          + " unexpected results if the base image changes"),
  UNDEFINED_VAR("UndefinedVar", "Variables should be defined before their use"),
  MULTIPLE_INSTRUCTIONS_DISALLOWED(
      "MultipleInstructionsDisallowed",
      "Multiple instructions of the same type should not be used in the same stage"),
  LEGACY_KEY_VALUE_FORMAT(
      "LegacyKeyValueFormat",
      "Legacy key/value format with whitespace separator should not be used"),
  INVALID_DEFAULT_ARG_IN_FROM(
      "InvalidDefaultArgInFrom",
      "Default value for global ARG results in an empty or invalid base image name"),
  SECRETS_USED_IN_ARG_OR_ENV(
      "SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands"),
  REDUNDANT_TARGET_PLATFORM(
      "RedundantTargetPlatform",
      "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default"
          + " behavior"),
  FROM_PLATFORM_FLAG_CONST_DISALLOWED(
      "FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value"),
  COPY_IGNORED_FILE(
      "CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore"),
  EXPOSE_PROTO_CASING(
      "ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase"),
  EXPOSE_INVALID_FORMAT(
      "ExposeInvalidFormat",
      "IP address and host-port mapping should not be used in EXPOSE instruction. This will"
          + " become an error in a future release");

  private final String ruleName;
  private final String description;

  Rule(String ruleName, String description) {
    this.ruleName = ruleName;
    this.description = description;
  }

  /** The rule's name as written in {@code # check=skip=...}, e.g. {@code UndefinedVar}. */
  public String ruleName() {
    return ruleName;
  }

  /** One sentence on what the rule asks for. */
  public String description() {
    return description;
  }

  /** The rule's page in Docker's documentation. */
  public String url() {
    String kebab = ruleName.replaceAll("([a-z])([A-Z])", "$1-$2").replace("JSONA", "JSON-A");
    return "https://docs.docker.com/go/dockerfile/rule/" + kebab.toLowerCase() + "/";
  }

  /** The rule called {@code name} (exact spelling), or null. */
  public static Rule byName(String name) {
    for (Rule r : values()) {
      if (r.ruleName.equals(name)) {
        return r;
      }
    }
    return null;
  }
}
