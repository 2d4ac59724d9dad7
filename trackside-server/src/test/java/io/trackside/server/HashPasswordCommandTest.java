package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.dashboard.PasswordHash;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code trackside hash-password}: stdin in, a hash the config accepts out. */
class HashPasswordCommandTest {

  private record Run(int exit, String out) {
  }

  private static Run run(String stdin) {
    InputStream in = System.in;
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      int exit = new CommandLine(new Main()).execute("hash-password");
      return new Run(exit, printed.toString(StandardCharsets.UTF_8).trim());
    } finally {
      System.setIn(in);
      System.setOut(out);
    }
  }

  @Test
  void printsAHashOfTheLineOnStdin() {
    Run run = run("a long enough password\n");
    assertThat(run.exit()).isZero();
    assertThat(PasswordHash.isWellFormed(run.out())).isTrue();
    assertThat(PasswordHash.matches(run.out(), "a long enough password")).isTrue();
  }

  @Test
  void refusesAShortPassword() {
    Run run = run("short\n");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
  }
}
