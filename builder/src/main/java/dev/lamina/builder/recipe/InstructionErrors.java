package dev.lamina.builder.recipe;

/**
 * Every message the instruction parser produces, in BuildKit's wording; shared by the code and its
 * tests so a reworded message changes in one place.
 */
public final class InstructionErrors {
  private InstructionErrors() {}

  public static String atLeastOneArgument(String instruction) {
    return instruction + " requires at least one argument";
  }

  public static String exactlyOneArgument(String instruction) {
    return instruction + " requires exactly one argument";
  }

  public static String noDestinationArgument(String instruction) {
    return instruction
        + " requires at least two arguments, but only one was provided. Destination could not be"
        + " determined.";
  }

  public static String blankNames(String instruction) {
    return instruction + " names can not be blank";
  }

  public static String tooManyArguments(String instruction) {
    return "Bad input to " + instruction + ", too many arguments";
  }

  public static String unknownInstruction(String keyword, String suggestion) {
    String message = "unknown instruction: " + keyword;
    return suggestion == null ? message : message + " (did you mean " + suggestion + "?)";
  }

  public static String noBuildStage() {
    return "no build stage in current context";
  }

  public static String noStages() {
    return "dockerfile contains no stages to build";
  }

  public static String fromArguments() {
    return "FROM requires either one or three arguments";
  }

  public static String invalidStageName(String name) {
    return "invalid name for build stage: \""
        + name
        + "\", name can't start with a number or contain symbols";
  }

  public static String duplicateStageName(String name) {
    return "duplicate stage name \"" + name + "\"";
  }

  public static String onbuildChaining() {
    return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed";
  }

  public static String onbuildTrigger(String instruction) {
    return instruction + " isn't allowed as an ONBUILD trigger";
  }

  public static String shellNotJson() {
    return "SHELL requires the arguments to be in JSON form";
  }

  public static String emptyVolume() {
    return "VOLUME specified can not be an empty string";
  }

  public static String unknownFlag(String flag) {
    return "unknown flag: " + flag;
  }

  public static String flagWithoutDashes(String arg) {
    return "arg should start with -- : " + arg;
  }

  public static String missingFlagValue(String flag) {
    return "missing a value on flag: " + flag;
  }

  public static String duplicateFlag(String flag) {
    return "duplicate flag specified: " + flag;
  }

  public static String booleanFlag(String flag, String value) {
    return "expecting boolean value for flag " + flag + ", not: " + value;
  }

  public static String network(String mode) {
    return "unsupported network mode \"" + mode + "\"";
  }

  public static String security(String mode) {
    return "unsupported security mode \"" + mode + "\"";
  }

  public static String healthcheckNoneArguments() {
    return "HEALTHCHECK NONE takes no arguments";
  }

  public static String healthcheckType(String type) {
    return "Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)";
  }

  public static String healthcheckCommand() {
    return "Missing command after HEALTHCHECK CMD";
  }

  public static String intervalTooShort(String flag) {
    return "Interval \"" + flag + "\" cannot be less than 1ms";
  }

  public static String invalidDuration(String value) {
    return "time: invalid duration \"" + value + "\"";
  }

  public static String negativeRetries(long retries) {
    return "--retries cannot be negative (" + retries + ")";
  }

  public static String invalidRetries(String value) {
    return "invalid value for --retries: " + value;
  }

  public static String mountField(String field) {
    return "unexpected key '" + field + "' in mount, expected key=value";
  }

  public static String mountType(String type) {
    return "unsupported mount type \"" + type + "\"";
  }

  public static String mountKeyForType(String key, String type) {
    return "unexpected key '" + key + "' for mount type '" + type + "'";
  }

  public static String mountValue(String key, String value) {
    return "invalid value for " + key + ": " + value;
  }

  public static String mountNumber(String key, String value) {
    return "invalid value " + value + " for " + key;
  }

  public static String mountSharing(String value) {
    return "unsupported sharing value \"" + value + "\"";
  }

  public static String mountOptionNotAllowed(String option, String type) {
    return option + " not allowed for \"" + type + "\" type mounts";
  }

  public static String mountTarget(String type) {
    return "mount type " + type + " requires a target";
  }

  public static String mountQuote(String spec) {
    return "unterminated quote in mount " + spec;
  }

  public static String secretFrom() {
    return "secret mount should not have a from";
  }

  public static String secretSourceAndId() {
    return "both source and id can't be set";
  }

  public static String secretNeedsTarget() {
    return "invalid secret mount. one of source, target required";
  }
}
