package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected hashes computed independently with {@code printf %s VALUE | sha256sum}. */
class UserDataHashingTest {

  private static final String TEST_AT_EXAMPLE = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";

  @Test
  void emailsAreTrimmedAndLowerCasedBeforeHashing() {
    assertThat(UserDataHashing.hashEmail("test@example.com")).isEqualTo(TEST_AT_EXAMPLE);
    assertThat(UserDataHashing.hashEmail("  Test@Example.COM \n")).isEqualTo(TEST_AT_EXAMPLE);
    assertThat(UserDataHashing.hashEmail("Müller@Bücher.de"))
        .isEqualTo("7c4bcd2018f0784c6b44d1eebf0f7f805a0e3714e805859717f5e2c62ed7cefb");
  }

  @Test
  void googleAlsoDropsTheDotsOfGmailAddressesButMetaDoesNot() {
    assertThat(UserDataHashing.normalizeEmailForGoogle(" John.Doe@GMail.com")).isEqualTo("johndoe@gmail.com");
    assertThat(UserDataHashing.normalizeEmailForGoogle("j.o.h.n@googlemail.com")).isEqualTo("john@googlemail.com");
    assertThat(UserDataHashing.normalizeEmailForGoogle("john.doe@example.com")).isEqualTo("john.doe@example.com");
    assertThat(UserDataHashing.hashEmailForGoogle("John.Doe@gmail.com"))
        .isEqualTo("06a240d11cc201676da976f7b49341181fd180da37cbe40a77432c0a366c80c3");
    assertThat(UserDataHashing.hashEmail("John.Doe@gmail.com"))
        .isEqualTo("375320dd9ae7ed408002f3768e16cb5f28c861062fd50dff9a3bff62e9dce4ef");
  }

  @Test
  void phonesBecomeDigitsWithTheCountryCodeForMetaAndE164ForGoogle() {
    for (String written : new String[] {"+49 151 12345678", "+49 (151) 123-456-78", "0049 151 12345678", "4915112345678"}) {
      assertThat(UserDataHashing.normalizePhone(written)).as(written).isEqualTo("4915112345678");
      assertThat(UserDataHashing.hashPhone(written)).as(written)
          .isEqualTo("8efb96404be52f6109b9db0f687274a81e9e3cc23fabd6f0da5d38baa3d2facd");
      assertThat(UserDataHashing.normalizePhoneForGoogle(written)).as(written).isEqualTo("+4915112345678");
      assertThat(UserDataHashing.hashPhoneForGoogle(written)).as(written)
          .isEqualTo("536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b");
    }
    assertThat(UserDataHashing.hashPhone("+1 (650) 555-1234"))
        .isEqualTo("6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599");
    assertThat(UserDataHashing.hashPhoneForGoogle("+1 650-555-1234"))
        .isEqualTo("a2996076d3ad4af5dc818b908b3d8e354f26ededf7df0e0aa6ac354143805ee0");
  }

  @Test
  void hashingIsIdempotent() {
    assertThat(UserDataHashing.hashEmail(TEST_AT_EXAMPLE)).isEqualTo(TEST_AT_EXAMPLE);
    assertThat(UserDataHashing.hashEmail(TEST_AT_EXAMPLE.toUpperCase())).isEqualTo(TEST_AT_EXAMPLE);
    assertThat(UserDataHashing.hashPhone(UserDataHashing.hashPhone("+1 650 555 1234")))
        .isEqualTo(UserDataHashing.hashPhone("+1 650 555 1234"));
    assertThat(UserDataHashing.hashText(UserDataHashing.hashText("Jane Doe"))).isEqualTo(UserDataHashing.hashText("jane doe"))
        .isEqualTo("ed37d99b1445238af3386f81a77a2caf3fffc0cd610be39b4f3ba53943dc66bf");
    assertThat(UserDataHashing.isSha256Hex(TEST_AT_EXAMPLE.substring(1))).isFalse();
    assertThat(UserDataHashing.isSha256Hex(TEST_AT_EXAMPLE.substring(1) + "g")).isFalse();
    assertThat(UserDataHashing.isSha256Hex(null)).isFalse();
  }
}
