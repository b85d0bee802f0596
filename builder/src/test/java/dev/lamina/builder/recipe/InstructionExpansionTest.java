package dev.lamina.builder.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstructionExpansionTest {
  private static final Expander EXPANDER =
      Expander.of(
          '\\',
          Map.of(
              "a",
              "0",
              "USER",
              "bob",
              "PORTS",
              "80  443/udp",
              "SRC",
              "my file",
              "V",
              "1.36",
              "DIR",
              "/cache",
              "EMPTY",
              ""));

  private static Instruction one(String line) throws Exception {
    return Recipes.parse("FROM scratch\n" + line + "\n", "f").stages().get(0).instructions().get(0);
  }

  @Test
  void env_seesValuesFromBeforeTheInstruction() throws Exception {
    Env env = (Env) one("ENV a=1 b=$a c=\"${a} and ${b:-none}\"").expand(EXPANDER);
    assertEquals(
        List.of(new KeyValue("a", "1"), new KeyValue("b", "0"), new KeyValue("c", "0 and none")),
        env.pairs());
  }

  @Test
  void arg_defaultsSeeValuesFromBeforeTheInstruction() throws Exception {
    Arg arg = (Arg) one("ARG X=$USER Y=${X:-unset} Z").expand(EXPANDER);
    assertEquals(
        List.of(
            new ArgDefinition("X", "bob"),
            new ArgDefinition("Y", "unset"),
            new ArgDefinition("Z", null)),
        arg.args());
  }

  @Test
  void label_removesQuotes() throws Exception {
    Label label = (Label) one("LABEL \"my key\"='v $USER' other=$USER").expand(EXPANDER);
    assertEquals(
        List.of(new KeyValue("my key", "v $USER"), new KeyValue("other", "bob")), label.pairs());
  }

  @Test
  void expose_splitsWords() throws Exception {
    assertEquals(
        List.of("80", "443/udp", "22"),
        ((Expose) one("EXPOSE $PORTS 22").expand(EXPANDER)).ports());
  }

  @Test
  void copy_expandsEachSourceAsOneWord_andItsFlags() throws Exception {
    Copy copy =
        (Copy)
            one("COPY --chown=$USER --from=stage$EMPTY $SRC ${DIR}/b /home/$USER/")
                .expand(EXPANDER);
    assertEquals(List.of("my file", "/cache/b"), copy.sources());
    assertEquals("/home/bob/", copy.destination());
    assertEquals("bob", copy.chown());
    assertEquals("stage", copy.from());
  }

  @Test
  void copy_heredocBody_expandsUnlessQuoted() throws Exception {
    Copy copy = (Copy) one("COPY <<A <<'B' /d/\nhi $USER 'x'\nA\nhi $USER\nB").expand(EXPANDER);
    assertEquals("hi bob 'x'\n", copy.inlineSources().get(0).content());
    assertEquals("hi $USER\n", copy.inlineSources().get(1).content());
  }

  @Test
  void from_workdirUserVolumeStopsignal() throws Exception {
    Recipe r = Recipes.parse("FROM --platform=$P busybox:${V}\n", "f");
    From from =
        r.stages().get(0).from().expand(EXPANDER.withEnv(Map.of("V", "1", "P", "linux/arm64")));
    assertEquals("busybox:1", from.image());
    assertEquals("linux/arm64", from.platform());
    assertEquals("/cache/x", ((Workdir) one("WORKDIR $DIR/x").expand(EXPANDER)).path());
    assertEquals("bob", ((User) one("USER ${USER}").expand(EXPANDER)).user());
    assertEquals(
        List.of("/cache", "my file"),
        ((Volume) one("VOLUME $DIR \"$SRC\"").expand(EXPANDER)).paths());
    assertEquals(
        "SIGKILL", ((Stopsignal) one("STOPSIGNAL SIG${X:-KILL}").expand(EXPANDER)).signal());
  }

  @Test
  void run_expandsMountsOnly() throws Exception {
    Run run =
        (Run) one("RUN --mount=type=cache,target=$DIR,id=c-$USER echo $USER").expand(EXPANDER);
    assertEquals(new CommandLine.ShellForm("echo $USER"), run.command());
    Mount.Cache cache = (Mount.Cache) run.mounts().get(0);
    assertEquals("/cache", cache.target());
    assertEquals("c-bob", cache.id());
  }

  @Test
  void shellCommands_areNotExpanded() throws Exception {
    for (String line :
        List.of(
            "CMD echo $USER",
            "ENTRYPOINT [\"$USER\"]",
            "SHELL [\"$USER\"]",
            "HEALTHCHECK CMD $USER",
            "MAINTAINER $USER",
            "ONBUILD RUN $USER")) {
      Instruction i = one(line);
      assertSame(i, i.expand(EXPANDER), line);
      assertFalse(Expander.expands(i.name()), line);
    }
    assertTrue(Expander.expands("copy"));
  }

  @Test
  void expansionErrors_propagate() {
    ExpansionException e =
        assertThrows(
            ExpansionException.class, () -> one("WORKDIR ${NOPE:?must be set}").expand(EXPANDER));
    assertEquals("failed to process \"${NOPE:?must be set}\": NOPE: must be set", e.getMessage());
  }

  @Test
  void backtickEscape_keepsBackslashes() throws Exception {
    Recipe r = Recipes.parse("# escape=`\nFROM scratch\nWORKDIR c:\\$DIR`$x\n", "f");
    Workdir w = (Workdir) r.stages().get(0).instructions().get(0);
    assertEquals("c:\\/cache$x", w.expand(Expander.of('`', EXPANDER.env())).path());
  }
}
