package dev.lamina.builder.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.builder.parse.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LinterTest {

  /** Every warning as {@code line Rule: message}. */
  private static List<String> lint(String text) throws ParseException {
    List<String> out = new ArrayList<>();
    for (Warning w : Linter.check(text)) {
      out.add(w.range().startLine() + " " + w.ruleName() + ": " + w.message());
    }
    return out;
  }

  private static String w(int line, Rule rule, String message) {
    return line + " " + rule.ruleName() + ": " + message;
  }

  static Stream<Arguments> positives() {
    return Stream.of(
        Arguments.of(
            "FROM alpine AS Builder\n",
            w(1, Rule.STAGE_NAME_CASING, Messages.stageNameCasing("Builder"))),
        Arguments.of(
            "FROM alpine as builder\n",
            w(1, Rule.FROM_AS_CASING, Messages.fromAsCasing("FROM", "as"))),
        Arguments.of(
            "from alpine AS builder\nrun x\n",
            w(1, Rule.FROM_AS_CASING, Messages.fromAsCasing("from", "AS"))),
        Arguments.of(
            "FROM alpine\nRUN a \\\n\n  b\n",
            w(2, Rule.NO_EMPTY_CONTINUATION, Messages.noEmptyContinuation())),
        Arguments.of(
            "FROM alpine\nRUN a\nrun b\n",
            w(
                3,
                Rule.CONSISTENT_INSTRUCTION_CASING,
                Messages.consistentInstructionCasing("run", "uppercase"))),
        Arguments.of(
            "from alpine\nrun a\nRun b\n",
            w(
                3,
                Rule.CONSISTENT_INSTRUCTION_CASING,
                Messages.consistentInstructionCasing("Run", "lowercase"))),
        Arguments.of(
            "FROM a AS x\nFROM b AS x\n",
            w(2, Rule.DUPLICATE_STAGE_NAME, Messages.duplicateStageName("x"))),
        Arguments.of(
            "FROM a AS scratch\n",
            w(1, Rule.RESERVED_STAGE_NAME, Messages.reservedStageName("scratch"))),
        Arguments.of(
            "FROM a AS context\n",
            w(1, Rule.RESERVED_STAGE_NAME, Messages.reservedStageName("context"))),
        Arguments.of(
            "FROM a\nCMD echo hi\n",
            w(2, Rule.JSON_ARGS_RECOMMENDED, Messages.jsonArgsRecommended("CMD"))),
        Arguments.of(
            "FROM a\nENTRYPOINT ./run\n",
            w(2, Rule.JSON_ARGS_RECOMMENDED, Messages.jsonArgsRecommended("ENTRYPOINT"))),
        Arguments.of(
            "FROM a\nMAINTAINER me\n",
            w(2, Rule.MAINTAINER_DEPRECATED, Messages.maintainerDeprecated())),
        Arguments.of(
            "ARG VERSION=1\nFROM alpine:$VERSON\n",
            w(2, Rule.UNDEFINED_ARG_IN_FROM, Messages.undefinedArgInFrom("VERSON", "VERSION"))),
        Arguments.of(
            "FROM --platform=$PLATFORM alpine\n",
            w(1, Rule.UNDEFINED_ARG_IN_FROM, Messages.undefinedArgInFrom("PLATFORM", null))),
        Arguments.of(
            "FROM a\nWORKDIR app\n",
            w(2, Rule.WORKDIR_RELATIVE_PATH, Messages.workdirRelativePath("app"))),
        Arguments.of(
            "FROM a\nCOPY $SRC /dst\n",
            w(2, Rule.UNDEFINED_VAR, Messages.undefinedVar("SRC", null))),
        Arguments.of(
            "FROM a\nENV PATH=$PAHT:/x\n",
            w(2, Rule.UNDEFINED_VAR, Messages.undefinedVar("PAHT", "PATH"))),
        Arguments.of(
            "FROM a\nENV A=1 B=$A\n", w(2, Rule.UNDEFINED_VAR, Messages.undefinedVar("A", null))),
        Arguments.of(
            "ARG G=1\nFROM a\nWORKDIR /$G\n",
            w(3, Rule.UNDEFINED_VAR, Messages.undefinedVar("G", null))),
        Arguments.of(
            "FROM a\nCMD [\"a\"]\nCMD [\"b\"]\n",
            w(
                2,
                Rule.MULTIPLE_INSTRUCTIONS_DISALLOWED,
                Messages.multipleInstructionsDisallowed("CMD"))),
        Arguments.of(
            "FROM a\nHEALTHCHECK NONE\nHEALTHCHECK CMD [\"x\"]\n",
            w(
                2,
                Rule.MULTIPLE_INSTRUCTIONS_DISALLOWED,
                Messages.multipleInstructionsDisallowed("HEALTHCHECK"))),
        Arguments.of(
            "FROM a\nENV name value\n",
            w(2, Rule.LEGACY_KEY_VALUE_FORMAT, Messages.legacyKeyValueFormat("ENV"))),
        Arguments.of(
            "FROM a\nLABEL name value\n",
            w(2, Rule.LEGACY_KEY_VALUE_FORMAT, Messages.legacyKeyValueFormat("LABEL"))),
        Arguments.of(
            "ARG TAG\nFROM busybox:${TAG}\n",
            w(
                2,
                Rule.INVALID_DEFAULT_ARG_IN_FROM,
                Messages.invalidDefaultArgInFrom("busybox:${TAG}"))),
        Arguments.of(
            "ARG IMAGE\nFROM $IMAGE\n",
            w(2, Rule.INVALID_DEFAULT_ARG_IN_FROM, Messages.invalidDefaultArgInFrom("$IMAGE"))),
        Arguments.of(
            "FROM a\nARG API_KEY\n",
            w(
                2,
                Rule.SECRETS_USED_IN_ARG_OR_ENV,
                Messages.secretsUsedInArgOrEnv("ARG", "API_KEY"))),
        Arguments.of(
            "FROM a\nENV DB_PASSWORD=x\n",
            w(
                2,
                Rule.SECRETS_USED_IN_ARG_OR_ENV,
                Messages.secretsUsedInArgOrEnv("ENV", "DB_PASSWORD"))),
        Arguments.of(
            "ARG GITHUB_TOKEN\nFROM a\n",
            w(
                1,
                Rule.SECRETS_USED_IN_ARG_OR_ENV,
                Messages.secretsUsedInArgOrEnv("ARG", "GITHUB_TOKEN"))),
        Arguments.of(
            "FROM a\nEXPOSE 80:8080\n",
            w(2, Rule.EXPOSE_INVALID_FORMAT, Messages.exposeInvalidFormat("80:8080"))),
        Arguments.of(
            "FROM a\nEXPOSE 127.0.0.1:80:8080/tcp\n",
            w(2, Rule.EXPOSE_INVALID_FORMAT,
                Messages.exposeInvalidFormat("127.0.0.1:80:8080/tcp"))),
        Arguments.of(
            "FROM a\nEXPOSE 53/UDP\n",
            w(2, Rule.EXPOSE_PROTO_CASING, Messages.exposeProtoCasing("53/UDP"))),
        Arguments.of(
            "FROM --platform=$TARGETPLATFORM a\n",
            w(1, Rule.REDUNDANT_TARGET_PLATFORM,
                Messages.redundantTargetPlatform("$TARGETPLATFORM"))),
        Arguments.of(
            "FROM --platform=${TARGETPLATFORM} a\n",
            w(1, Rule.REDUNDANT_TARGET_PLATFORM,
                Messages.redundantTargetPlatform("${TARGETPLATFORM}"))),
        Arguments.of(
            "FROM --platform=linux/arm64 a AS build\n",
            w(1, Rule.FROM_PLATFORM_FLAG_CONST_DISALLOWED,
                Messages.fromPlatformFlagConstDisallowed("linux/arm64"))));
  }

  @ParameterizedTest
  @MethodSource("positives")
  void check_reportsTheRule(String recipe, String expected) throws Exception {
    assertEquals(List.of(expected), lint(recipe));
  }

  static Stream<String> negatives() {
    return Stream.of(
        // casing, stage names
        "FROM alpine AS builder\nRUN x\n",
        "from alpine as builder\nrun x\n",
        "FROM a AS one\nFROM b AS two\n",
        // continuation without empty line, comment line inside
        "FROM a\nRUN a \\\n# note\n  b\n",
        // exec form, one of each per stage
        "FROM a\nCMD [\"x\"]\nENTRYPOINT [\"y\"]\nHEALTHCHECK CMD [\"z\"]\nFROM b\nCMD [\"w\"]\n",
        // declared and predefined ARGs in FROM
        "ARG V=1\nFROM alpine:$V\nFROM --platform=$BUILDPLATFORM alpine\n",
        // relative WORKDIR after an absolute one, also inherited from a stage
        "FROM a AS base\nWORKDIR /app\nWORKDIR sub\nFROM base\nWORKDIR more\n",
        // variables defined by ENV, ARG, a parent stage, PATH; defaults; RUN is the shell's
        "FROM a AS base\nENV HOME_DIR=/h\nFROM base\nARG X\nENV P=$PATH:$HOME_DIR\n"
            + "COPY ${X} ${Y:-default} /d/\nRUN echo $UNDEFINED\n",
        // ENV in new form, LABEL in new form
        "FROM a\nENV k=v\nLABEL k=v\n",
        // defaults produce a valid name; stage names and scratch are valid bases
        "ARG TAG=1.36\nFROM busybox:${TAG}\n",
        "ARG BASE=scratch\nFROM $BASE\n",
        "FROM a AS build\nFROM a\nARG S=build\n",
        // not secrets
        "FROM a\nARG PUBLIC_KEY\nENV KEYBOARD=us\nARG TOKENIZER\n",
        // container ports only, lowercase protocols, a port from a variable
        "FROM a\nARG P=80:8080\nEXPOSE 80 53/udp 8000-8001/tcp :90 $P\n",
        // a platform from a variable, or one the stage's name is about
        "ARG P=linux/amd64\nFROM --platform=$P a\nFROM --platform=$BUILDPLATFORM a\n"
            + "FROM --platform=linux/arm64 a AS build-arm64\n"
            + "FROM --platform=linux/amd64 a AS linux-tools\n"
            + "FROM --platform=${TARGETPLATFORM}-x a\n");
  }

  @ParameterizedTest
  @MethodSource("negatives")
  void check_cleanRecipe_hasNoWarnings(String recipe) throws Exception {
    assertEquals(List.of(), lint(recipe));
  }

  @Test
  void checkDirective_skipsRules_andTurnsWarningsIntoErrors() throws Exception {
    String recipe = "# check=skip=JSONArgsRecommended;error=true\nFROM a\nCMD x\nMAINTAINER me\n";
    LintReport report = Linter.report(recipe, "Dockerfile", Set.of());
    assertEquals(1, report.warnings().size());
    assertEquals(Rule.MAINTAINER_DEPRECATED, report.warnings().get(0).rule());
    assertEquals(Optional.of(Messages.violation("MaintainerDeprecated")), report.violation());
    assertTrue(Linter.check("# check=skip=all\nFROM a\nCMD x\n").isEmpty());
    assertEquals(Optional.empty(), Linter.report("FROM a\nCMD x\n", "f", Set.of()).violation());
  }

  @Test
  void checkDirective_malformed_isAParseError() {
    ParseException e =
        assertThrows(ParseException.class, () -> Linter.check("# check=error=maybe\nFROM a\n"));
    assertTrue(e.getMessage().startsWith("Dockerfile:1: failed to parse check option"));
    assertThrows(ParseException.class, () -> Linter.check("# check=fail=1\nFROM a\n"));
  }

  @Test
  void knownVariables_countAsDefined() throws Exception {
    String recipe = "FROM a\nWORKDIR $JAVA_HOME\n";
    assertEquals(1, Linter.check(recipe).size());
    assertTrue(Linter.report(recipe, "f", Set.of("JAVA_HOME")).warnings().isEmpty());
  }

  @Test
  void warnings_comeInLineOrder_withShortForm() throws Exception {
    List<Warning> warnings = Linter.check("FROM a AS X\nCMD a\nCMD b\n");
    List<Integer> lines = new ArrayList<>();
    for (Warning w : warnings) {
      lines.add(w.range().startLine());
    }
    assertEquals(List.of(1, 2, 2, 3), lines);
    assertEquals(
        "StageNameCasing: Stage name 'X' should be lowercase (line 1)", warnings.get(0).toString());
  }

  @Test
  void copyIgnoredFile_contextSourcesOnly_andNotWithExceptions() throws Exception {
    String recipe = "FROM a AS b\nCOPY secret.txt ./src/ /d/\nADD logs/app.log /l\n"
        + "COPY --from=b secret.txt /x\nADD https://example.invalid/secret.txt /y\n"
        + "COPY . /all\n";
    List<String> warnings = new ArrayList<>();
    for (Warning w : Linter.report(recipe, "Dockerfile", Set.of(),
        IgnoreRules.parse("secret.txt\nlogs\n")).warnings()) {
      warnings.add(w.range().startLine() + " " + w.ruleName() + ": " + w.message());
    }
    assertEquals(List.of(
        w(2, Rule.COPY_IGNORED_FILE, Messages.copyIgnoredFile("Copy", "secret.txt")),
        w(3, Rule.COPY_IGNORED_FILE, Messages.copyIgnoredFile("Add", "logs/app.log"))),
        warnings);
    assertEquals(List.of(), Linter.report(recipe, "Dockerfile", Set.of(),
        IgnoreRules.parse("secret.txt\nlogs\n!logs/keep\n")).warnings(),
        "an exception makes the outcome undecidable from the recipe");
    assertEquals(List.of(Messages.copyIgnoredFile("Copy", ".")),
        Linter.report("FROM a\nCOPY . /all\n", "Dockerfile", Set.of(), IgnoreRules.parse("*\n"))
            .warnings().stream().map(Warning::message).toList(),
        "the root, when everything in it is excluded");
  }

  @Test
  void newRules_haveBuildKitsNamesAndUrls() {
    assertEquals(
        "https://docs.docker.com/go/dockerfile/rule/expose-invalid-format/",
        Rule.EXPOSE_INVALID_FORMAT.url());
    assertEquals(
        "https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/",
        Rule.FROM_PLATFORM_FLAG_CONST_DISALLOWED.url());
    assertEquals(Rule.EXPOSE_PROTO_CASING, Rule.byName("ExposeProtoCasing"));
    assertEquals(Rule.COPY_IGNORED_FILE, Rule.byName("CopyIgnoredFile"));
    assertEquals(Rule.REDUNDANT_TARGET_PLATFORM, Rule.byName("RedundantTargetPlatform"));
  }

  @Test
  void rules_haveDocsUrls() {
    assertEquals(
        "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
        Rule.JSON_ARGS_RECOMMENDED.url());
    assertEquals(
        "https://docs.docker.com/go/dockerfile/rule/undefined-arg-in-from/",
        Rule.UNDEFINED_ARG_IN_FROM.url());
    assertEquals(Rule.UNDEFINED_VAR, Rule.byName("UndefinedVar"));
    assertFalse(Linter.isSecretKey("MONKEY"));
    assertTrue(Linter.isSecretKey("aws_secret_access_key"));
  }
}
