package dev.lamina.builder.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.parse.ParseException;
import dev.lamina.builder.parse.SourceRange;
import dev.lamina.layerfs.oci.GoDuration;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InstructionParserTest {

  /** The single instruction of a one-stage recipe {@code FROM scratch\n<line>}. */
  private static Instruction one(String line) throws ParseException {
    Recipe r = Recipes.parse("FROM scratch\n" + line + "\n", "Dockerfile");
    return r.stages().get(0).instructions().get(0);
  }

  @Test
  void from_withPlatformAndStageName() throws Exception {
    Recipe r = Recipes.parse("FROM --platform=linux/arm64 alpine:3 As Builder\n", "f");
    From from = r.stages().get(0).from();
    assertEquals(new From("alpine:3", "linux/arm64", "builder", SourceRange.line(1)), from);
    assertEquals("builder", r.stages().get(0).name());
    assertEquals("alpine:3", r.stages().get(0).base());
  }

  @Test
  void run_shellAndExecForms() throws Exception {
    Run shell = (Run) one("RUN echo $HOME");
    assertEquals(new CommandLine.ShellForm("echo $HOME"), shell.command());
    assertTrue(shell.command().prependShell());
    Run exec = (Run) one("RUN [\"echo\", \"$HOME\"]");
    assertEquals(new CommandLine.ExecForm(List.of("echo", "$HOME")), exec.command());
    assertFalse(exec.command().prependShell());
  }

  @Test
  void run_mountsNetworkAndSecurity() throws Exception {
    Run run =
        (Run)
            one(
                "RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=go,mode=0700,uid=1000"
                    + " --mount=target=/src,from=builder,rw"
                    + " --mount=type=tmpfs,dst=/tmp,size=64m"
                    + " --mount=type=secret,id=npmrc,required"
                    + " --mount=type=secret,target=/run/token,env=TOKEN,mode=0440"
                    + " --mount=type=ssh"
                    + " --network=none --security=insecure make");
    assertEquals(
        List.of(
            new Mount.Cache(
                "/root/.cache", "go", Mount.Sharing.LOCKED, null, null, false, 0700, 1000, 0,
                true),
            new Mount.Bind("/src", null, "builder", false),
            new Mount.Tmpfs("/tmp", 64L * 1024 * 1024),
            new Mount.Secret("npmrc", "/run/secrets/npmrc", null, true, 0400, 0, 0),
            new Mount.Secret("token", "/run/token", "TOKEN", false, 0440, 0, 0),
            new Mount.Ssh("default", null, false, 0600, 0, 0)),
        run.mounts());
    assertEquals("none", run.network());
    assertEquals("insecure", run.security());
  }

  @Test
  void mounts_defaults() {
    assertEquals(new Mount.Bind("/a", null, null, true), Mounts.parse("target=/a"));
    assertEquals(
        new Mount.Cache("/c", "/c", Mount.Sharing.SHARED, null, null, false, 0755, 0, 0),
        Mounts.parse("type=cache,target=/c"));
    assertEquals(
        new Mount.Bind("/a", "x", null, true), Mounts.parse("\"target=/a\",source=x,ro=true"));
  }

  static Stream<Arguments> badMounts() {
    return Stream.of(
        Arguments.of("type=nfs,target=/a", InstructionErrors.mountType("nfs")),
        Arguments.of("target=/a,bogus", InstructionErrors.mountField("bogus")),
        Arguments.of("target=/a,color=red", InstructionErrors.mountField("color=red")),
        Arguments.of(
            "target=/a,sharing=locked", InstructionErrors.mountKeyForType("sharing", "bind")),
        Arguments.of("type=cache,target=/a,sharing=open", InstructionErrors.mountSharing("open")),
        Arguments.of(
            "target=/a,mode=0700", InstructionErrors.mountOptionNotAllowed("mode", "bind")),
        Arguments.of("type=cache,target=/a,uid=x", InstructionErrors.mountNumber("uid", "x")),
        Arguments.of("type=cache,target=/a,mode=9", InstructionErrors.mountNumber("mode", "9")),
        Arguments.of("type=tmpfs", InstructionErrors.mountTarget("tmpfs")),
        Arguments.of("type=bind,target=/a,ro=maybe", InstructionErrors.mountValue("ro", "maybe")),
        Arguments.of("type=secret", InstructionErrors.secretNeedsTarget()),
        Arguments.of("type=secret,id=a,source=b", InstructionErrors.secretSourceAndId()),
        Arguments.of("type=secret,id=a,from=b", InstructionErrors.secretFrom()),
        Arguments.of(
            "type=cache,target=/a,required",
            InstructionErrors.mountKeyForType("required", "cache")));
  }

  @ParameterizedTest
  @MethodSource("badMounts")
  void mounts_rejectBadSpecs(String spec, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Mounts.parse(spec));
    assertEquals(message, e.getMessage());
  }

  @Test
  void cmdEntrypointShell() throws Exception {
    assertEquals(
        new CommandLine.ExecForm(List.of("a", "b")), ((Cmd) one("CMD [\"a\",\"b\"]")).command());
    assertEquals(
        new CommandLine.ShellForm("run it"), ((Entrypoint) one("ENTRYPOINT run it")).command());
    assertEquals(
        new CommandLine.ExecForm(List.of()), ((Entrypoint) one("ENTRYPOINT []")).command());
    assertEquals(
        List.of("/bin/bash", "-c"), ((Shell) one("SHELL [\"/bin/bash\", \"-c\"]")).shell());
  }

  @Test
  void envAndLabel_bothForms() throws Exception {
    assertEquals(
        List.of(new KeyValue("A", "1"), new KeyValue("B", "\"x y\""), new KeyValue("C", "")),
        ((Env) one("ENV A=1 B=\"x y\" C=")).pairs());
    assertEquals(List.of(new KeyValue("A", "x  y")), ((Env) one("ENV A x  y")).pairs());
    assertEquals(
        List.of(new KeyValue("a.b", "v"), new KeyValue("c", "\"d e\"")),
        ((Label) one("LABEL a.b=v c=\"d e\"")).pairs());
    assertEquals(
        List.of(new KeyValue("key", "some value")), ((Label) one("LABEL key some value")).pairs());
  }

  @Test
  void singleArgumentInstructions() throws Exception {
    assertEquals("Jane <j@x>", ((Maintainer) one("MAINTAINER Jane <j@x>")).maintainer());
    assertEquals("app:app", ((User) one("USER app:app")).user());
    assertEquals("/srv/my app", ((Workdir) one("WORKDIR /srv/my app")).path());
    assertEquals("SIGQUIT", ((Stopsignal) one("STOPSIGNAL SIGQUIT")).signal());
  }

  @Test
  void exposeVolumeArg() throws Exception {
    assertEquals(List.of("80", "443/udp"), ((Expose) one("EXPOSE 80 443/udp")).ports());
    assertEquals(List.of("/a", "/b"), ((Volume) one("VOLUME /a /b")).paths());
    assertEquals(List.of("/a b"), ((Volume) one("VOLUME [\"/a b\"]")).paths());
    assertEquals(
        List.of(
            new ArgDefinition("A", null),
            new ArgDefinition("B", "1"),
            new ArgDefinition("C", ""),
            new ArgDefinition("D", "\"x y\"")),
        ((Arg) one("ARG A B=1 C= D=\"x y\"")).args());
  }

  @Test
  void copy_allFlagsAndHeredocSources() throws Exception {
    Copy copy =
        (Copy)
            one(
                "COPY --from=build --chown=1:2 --chmod=0644 --link --parents --exclude=*.md"
                    + " --exclude=.git a b <<EOF /dst/\nbody\nEOF");
    assertEquals(List.of("a", "b"), copy.sources());
    assertEquals(List.of(new InlineFile("EOF", "body\n", true, 0)), copy.inlineSources());
    assertEquals("/dst/", copy.destination());
    assertEquals("build", copy.from());
    assertEquals("1:2", copy.chown());
    assertEquals("0644", copy.chmod());
    assertTrue(copy.link());
    assertTrue(copy.parents());
    assertEquals(List.of("*.md", ".git"), copy.excludes());
    assertEquals(new SourceRange(2, 4), copy.location());
  }

  @Test
  void add_allFlags() throws Exception {
    Add add =
        (Add)
            one(
                "ADD --chown=u --chmod=755 --link --keep-git-dir --checksum=sha256:abc"
                    + " --exclude=x --unpack=false https://h/a.tgz /opt/");
    assertEquals(List.of("https://h/a.tgz"), add.sources());
    assertEquals("/opt/", add.destination());
    assertEquals("u", add.chown());
    assertEquals("755", add.chmod());
    assertTrue(add.link());
    assertTrue(add.keepGitDir());
    assertEquals("sha256:abc", add.checksum());
    assertEquals(List.of("x"), add.excludes());
    assertEquals(Boolean.FALSE, add.unpack());
    assertNull(((Add) one("ADD a b")).unpack());
  }

  @Test
  void run_heredocsBecomeInlineFiles_chompedAndQuoted() throws Exception {
    Run run = (Run) one("RUN <<-'EOF' bash\n\techo $X\n\tEOF");
    assertEquals(List.of(new InlineFile("EOF", "echo $X\n", false, 0)), run.heredocs());
    assertEquals(new CommandLine.ShellForm("<<-'EOF' bash"), run.command());
  }

  @Test
  void onbuild_wrapsItsTrigger() throws Exception {
    Onbuild on = (Onbuild) one("ONBUILD COPY --chown=1 . /app");
    Copy trigger = assertInstanceOf(Copy.class, on.trigger());
    assertEquals("1", trigger.chown());
    assertEquals("COPY --chown=1 . /app", on.expression());
  }

  @Test
  void healthcheck_noneAndCmd() throws Exception {
    assertTrue(((Healthcheck) one("HEALTHCHECK NONE")).isNone());
    Healthcheck hc =
        (Healthcheck)
            one(
                "HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=250ms"
                    + " --start-interval=2s --retries=4 CMD curl -f localhost");
    assertEquals(new CommandLine.ShellForm("curl -f localhost"), hc.command());
    assertEquals(Duration.ofSeconds(90), hc.interval());
    assertEquals(Duration.ofMillis(1500), hc.timeout());
    assertEquals(Duration.ofMillis(250), hc.startPeriod());
    assertEquals(Duration.ofSeconds(2), hc.startInterval());
    assertEquals(4, hc.retries());
    Healthcheck exec = (Healthcheck) one("HEALTHCHECK cmd [\"true\"]");
    assertEquals(new CommandLine.ExecForm(List.of("true")), exec.command());
    assertEquals(Duration.ZERO, exec.interval());
  }

  @Test
  void goDuration_parsesGoSyntax() {
    assertEquals(Duration.ofHours(1).plusMinutes(2).plusSeconds(3), GoDuration.parse("1h2m3s"));
    assertEquals(Duration.ofNanos(1500), GoDuration.parse("1.5us"));
    assertEquals(Duration.ofNanos(-5), GoDuration.parse("-5ns"));
    assertEquals(Duration.ZERO, GoDuration.parse("0"));
    for (String bad : List.of("", "5", "s", "1x", "1.s5", "--1s", ".s")) {
      assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad), bad);
    }
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("FROM", 1, InstructionErrors.fromArguments()),
        Arguments.of("FROM a b", 1, InstructionErrors.fromArguments()),
        Arguments.of("FROM a AS 1st", 1, InstructionErrors.invalidStageName("1st")),
        Arguments.of("FROM a AS b$c", 1, InstructionErrors.invalidStageName("b$c")),
        Arguments.of("FROM --plat=x a", 1, InstructionErrors.unknownFlag("plat")),
        Arguments.of("FROM --platform a", 1, InstructionErrors.missingFlagValue("platform")),
        Arguments.of("RUN x", 1, InstructionErrors.noBuildStage()),
        Arguments.of("ARG A\nENV B=1\nFROM a", 2, InstructionErrors.noBuildStage()),
        Arguments.of("ARG A\nARG B", 2, InstructionErrors.noStages()),
        Arguments.of("FROM a AS x\nFROM b AS X", 2, InstructionErrors.duplicateStageName("x")),
        Arguments.of("FROM a\nRUNN x", 2, InstructionErrors.unknownInstruction("RUNN", "run")),
        Arguments.of("FROM a\nBOGUS x", 2, InstructionErrors.unknownInstruction("BOGUS", null)),
        Arguments.of("FROM a\nRUN", 2, InstructionErrors.atLeastOneArgument("RUN")),
        Arguments.of("FROM a\nRUN --mount x", 2, InstructionErrors.missingFlagValue("mount")),
        Arguments.of("FROM a\nRUN --network=bridge x", 2, InstructionErrors.network("bridge")),
        Arguments.of("FROM a\nRUN --security=x x", 2, InstructionErrors.security("x")),
        Arguments.of("FROM a\nRUN --mount=type=nfs x", 2, InstructionErrors.mountType("nfs")),
        Arguments.of("FROM a\nRUN --privileged x", 2, InstructionErrors.unknownFlag("privileged")),
        Arguments.of("FROM a\nCMD --x=1 y", 2, InstructionErrors.unknownFlag("x")),
        Arguments.of("FROM a\nSHELL", 2, InstructionErrors.atLeastOneArgument("SHELL")),
        Arguments.of("FROM a\nSHELL /bin/sh -c", 2, InstructionErrors.shellNotJson()),
        Arguments.of("FROM a\nENV", 2, InstructionErrors.atLeastOneArgument("ENV")),
        Arguments.of("FROM a\nENV =x", 2, InstructionErrors.blankNames("ENV")),
        Arguments.of("FROM a\nLABEL =x", 2, InstructionErrors.blankNames("LABEL")),
        Arguments.of("FROM a\nARG", 2, InstructionErrors.atLeastOneArgument("ARG")),
        Arguments.of("FROM a\nARG =x", 2, InstructionErrors.blankNames("ARG")),
        Arguments.of("FROM a\nWORKDIR", 2, InstructionErrors.exactlyOneArgument("WORKDIR")),
        Arguments.of("FROM a\nUSER", 2, InstructionErrors.exactlyOneArgument("USER")),
        Arguments.of("FROM a\nSTOPSIGNAL", 2, InstructionErrors.exactlyOneArgument("STOPSIGNAL")),
        Arguments.of("FROM a\nMAINTAINER", 2, InstructionErrors.exactlyOneArgument("MAINTAINER")),
        Arguments.of("FROM a\nEXPOSE", 2, InstructionErrors.atLeastOneArgument("EXPOSE")),
        Arguments.of("FROM a\nVOLUME", 2, InstructionErrors.atLeastOneArgument("VOLUME")),
        Arguments.of("FROM a\nVOLUME [\"\"]", 2, InstructionErrors.emptyVolume()),
        Arguments.of("FROM a\nCOPY x", 2, InstructionErrors.noDestinationArgument("COPY")),
        Arguments.of("FROM a\nADD x", 2, InstructionErrors.noDestinationArgument("ADD")),
        Arguments.of(
            "FROM a\nCOPY --link=maybe a b", 2, InstructionErrors.booleanFlag("link", "maybe")),
        Arguments.of("FROM a\nCOPY --link= a b", 2, InstructionErrors.missingFlagValue("link")),
        Arguments.of(
            "FROM a\nCOPY --from=a --from=b a b", 2, InstructionErrors.duplicateFlag("from")),
        Arguments.of("FROM a\nCOPY --checksum=x a b", 2, InstructionErrors.unknownFlag("checksum")),
        Arguments.of("FROM a\nADD --parents a b", 2, InstructionErrors.unknownFlag("parents")),
        Arguments.of("FROM a\nONBUILD", 2, InstructionErrors.atLeastOneArgument("ONBUILD")),
        Arguments.of("FROM a\nONBUILD ONBUILD RUN x", 2, InstructionErrors.onbuildChaining()),
        Arguments.of("FROM a\nONBUILD FROM x", 2, InstructionErrors.onbuildTrigger("FROM")),
        Arguments.of(
            "FROM a\nonbuild maintainer x", 2, InstructionErrors.onbuildTrigger("MAINTAINER")),
        Arguments.of("FROM a\nONBUILD COPY x", 2, InstructionErrors.noDestinationArgument("COPY")),
        Arguments.of("FROM a\nHEALTHCHECK", 2, InstructionErrors.atLeastOneArgument("HEALTHCHECK")),
        Arguments.of("FROM a\nHEALTHCHECK NONE x", 2, InstructionErrors.healthcheckNoneArguments()),
        Arguments.of("FROM a\nHEALTHCHECK CHECK x", 2, InstructionErrors.healthcheckType("CHECK")),
        Arguments.of("FROM a\nHEALTHCHECK CMD", 2, InstructionErrors.healthcheckCommand()),
        Arguments.of(
            "FROM a\nHEALTHCHECK --interval=1us CMD x",
            2,
            InstructionErrors.intervalTooShort("interval")),
        Arguments.of(
            "FROM a\nHEALTHCHECK --timeout=-1s CMD x",
            2,
            InstructionErrors.intervalTooShort("timeout")),
        Arguments.of(
            "FROM a\nHEALTHCHECK --timeout=soon CMD x",
            2,
            InstructionErrors.invalidDuration("soon")),
        Arguments.of(
            "FROM a\nHEALTHCHECK --retries=-1 CMD x", 2, InstructionErrors.negativeRetries(-1)),
        Arguments.of(
            "FROM a\nHEALTHCHECK --retries=x CMD x", 2, InstructionErrors.invalidRetries("x")),
        Arguments.of(
            "FROM a\nHEALTHCHECK --bogus=1 CMD x", 2, InstructionErrors.unknownFlag("bogus")));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void parse_invalidInstruction_failsWithSharedMessage(String text, int line, String message) {
    ParseException e =
        assertThrows(ParseException.class, () -> Recipes.parse(text + "\n", "Dockerfile"));
    assertEquals("Dockerfile:" + line + ": " + message, e.getMessage());
  }

  @Test
  void recipe_groupsGlobalArgsAndStages() throws Exception {
    Recipe r =
        Recipes.parse(
            "# syntax=docker/dockerfile:1\nARG V=1\nARG W\nFROM a:${V} AS one\nRUN x\n"
                + "FROM one\nCOPY --from=one /a /b\nCMD y\n",
            "Dockerfile");
    assertEquals(2, r.globalArgs().size());
    assertEquals(2, r.stages().size());
    assertEquals("one", r.stages().get(0).name());
    assertEquals(1, r.stages().get(0).instructions().size());
    assertNull(r.stages().get(1).name());
    assertEquals(1, r.stages().get(1).index());
    assertEquals(2, r.stages().get(1).instructions().size());
    assertEquals(r.stages().get(0), r.stage("ONE").orElseThrow());
    assertEquals(r.stages().get(1), r.stage("1").orElseThrow());
    assertTrue(r.stage("2").isEmpty());
    assertEquals(r.stages().get(1), r.finalStage());
    assertEquals("docker/dockerfile:1", r.directives().syntax());
  }

  @Test
  void suggestions_findCloseKeywords() {
    assertEquals("copy", Suggestions.closest("cpoy", InstructionParser.KEYWORDS));
    assertEquals("workdir", Suggestions.closest("WORKDIR", List.of("workdir")));
    assertNull(Suggestions.closest("xyz", InstructionParser.KEYWORDS));
  }
}
