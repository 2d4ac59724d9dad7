package io.trackside.server;

import io.trackside.dashboard.PasswordHash;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code trackside hash-password}: reads a password from stdin (one line) and prints the hash to
 * put in the config as {@code dashboard.password-hash}. Stdin rather than an argument, so the
 * password stays out of the shell history and the process list.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
    description = "Read a dashboard password from stdin and print its hash for dashboard.password-hash.")
final class HashPasswordCommand implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    String password;
    if (System.console() != null) {
      char[] typed = System.console().readPassword("dashboard password: ");
      password = typed == null ? null : new String(typed);
    } else {
      password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    if (password == null || password.length() < 8) {
      System.err.println("the password must be at least 8 characters long");
      return 2;
    }
    System.out.println(PasswordHash.hash(password));
    System.err.println("put it in trackside.yml:\n  dashboard:\n    password-hash: <the line above>");
    return 0;
  }
}
