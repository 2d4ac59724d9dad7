package io.trackside.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

  @Test
  void theRightPasswordMatchesAndAnyOtherDoesNot() {
    String stored = PasswordHash.hash("s3cret-enough");
    assertThat(stored).startsWith("pbkdf2-sha256$600000$");
    assertThat(PasswordHash.matches(stored, "s3cret-enough")).isTrue();
    assertThat(PasswordHash.matches(stored, "s3cret-enougH")).isFalse();
    assertThat(PasswordHash.matches(stored, "")).isFalse();
  }

  @Test
  void eachHashHasItsOwnSaltAndKeepsItsIterationCount() {
    assertThat(PasswordHash.hash("same password")).isNotEqualTo(PasswordHash.hash("same password"));
    String fewer = PasswordHash.hash("old hash", 1_000); // a hash made when the default was lower still works
    assertThat(fewer).startsWith("pbkdf2-sha256$1000$");
    assertThat(PasswordHash.matches(fewer, "old hash")).isTrue();
  }

  @Test
  void malformedHashesAreToldApart() {
    assertThat(PasswordHash.isWellFormed(PasswordHash.hash("x", 10))).isTrue();
    assertThat(PasswordHash.isWellFormed("plain-password")).isFalse();
    assertThat(PasswordHash.isWellFormed("pbkdf2-sha256$many$AAAA$BBBB")).isFalse();
    assertThat(PasswordHash.isWellFormed("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$AAAA")).isFalse(); // hash too short
    assertThatThrownBy(() -> PasswordHash.matches("md5$abc", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hash-password");
  }

  @Test
  void generatedPasswordsAreLongAndDifferent() {
    String a = PasswordHash.generatePassword();
    assertThat(a).hasSize(20).matches("[A-Za-z0-9_-]+");
    assertThat(PasswordHash.generatePassword()).isNotEqualTo(a);
  }
}
