package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.UserDataHashing;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PiiScrubTest {

  /** printf %s test@example.com | sha256sum */
  private static final String TEST_AT_EXAMPLE = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";
  /** printf %s 4915112345678 | sha256sum */
  private static final String PHONE_DE = "8efb96404be52f6109b9db0f687274a81e9e3cc23fabd6f0da5d38baa3d2facd";

  private static final String IDENTIFY = "{\"type\":\"identify\",\"userId\":\"u-42\",\"traits\":{"
      + "\"email\":\" Test@Example.com \",\"phone\":\"+49 151 123 456 78\",\"name\":\"Jane Doe\","
      + "\"plan\":\"pro\",\"logins\":17,\"verified\":true,\"mobile\":4915112345678,"
      + "\"address\":{\"street\":\"Hauptstr. 1\",\"contact\":\"test@example.com\",\"zip\":\"10115\"},"
      + "\"emails\":[\"test@example.com\",\"x\"],\"note\":\"please write to test@example.com soon\","
      + "\"hashed\":\"" + TEST_AT_EXAMPLE.toUpperCase() + "\"},"
      + "\"context\":{\"traits\":{\"email\":\"test@example.com\"}}}";

  private static EnrichedEvent scrub(String json, PiiPolicy policy) {
    return PipelineFixtures.run(json, new PiiScrub(policy));
  }

  @Test
  void byDefaultDetectedEmailsAndPhonesAreHashedAndEverythingElseKept() {
    JsonNode traits = scrub(IDENTIFY, PiiPolicy.defaults()).event().traits();
    assertThat(traits.get("email").asText()).isEqualTo(TEST_AT_EXAMPLE);
    assertThat(traits.get("phone").asText()).isEqualTo(PHONE_DE);
    assertThat(traits.get("mobile").asText()).isEqualTo(PHONE_DE); // a JSON number in a phone field
    assertThat(traits.get("name").asText()).isEqualTo("Jane Doe"); // names are not detected, only listed
    assertThat(traits.get("plan").asText()).isEqualTo("pro");
    assertThat(traits.get("logins").asInt()).isEqualTo(17);
    assertThat(traits.get("verified").asBoolean()).isTrue();
    assertThat(traits.path("address").get("contact").asText()).isEqualTo(TEST_AT_EXAMPLE);
    assertThat(traits.path("address").get("zip").asText()).isEqualTo("10115");
    assertThat(traits.get("emails").get(0).asText()).isEqualTo(TEST_AT_EXAMPLE);
    assertThat(traits.get("emails").get(1).asText()).isEqualTo("x");
    assertThat(traits.get("note").asText()).isEqualTo("please write to [redacted] soon");
    assertThat(traits.get("hashed").asText()).isEqualTo(TEST_AT_EXAMPLE.toUpperCase()); // not hashed again
    assertThat(scrub(IDENTIFY, PiiPolicy.defaults()).event().context().path("traits").get("email").asText())
        .isEqualTo(TEST_AT_EXAMPLE);
  }

  @Test
  void runningTwiceChangesNothing() {
    EnrichedEvent once = scrub(IDENTIFY, PiiPolicy.defaults());
    String after = once.event().traits().toString();
    new PiiScrub(PiiPolicy.defaults()).apply(once);
    assertThat(once.event().traits().toString()).isEqualTo(after);
  }

  @Test
  void theOperatorChoosesPerFieldByPathOrName() {
    PiiPolicy policy = new PiiPolicy(PiiPolicy.Action.HASH, Map.of(
        "traits.email", PiiPolicy.Action.KEEP,
        "phone", PiiPolicy.Action.DROP,
        "traits.name", PiiPolicy.Action.HASH,
        "traits.address", PiiPolicy.Action.DROP,
        "context.traits.email", PiiPolicy.Action.DROP));
    EnrichedEvent e = scrub(IDENTIFY, policy);
    JsonNode traits = e.event().traits();
    assertThat(traits.get("email").asText()).isEqualTo(" Test@Example.com ");
    assertThat(traits.has("phone")).isFalse();
    assertThat(traits.get("name").asText()).isEqualTo(UserDataHashing.sha256Hex("jane doe"));
    assertThat(traits.has("address")).isFalse();
    assertThat(traits.get("mobile").asText()).isEqualTo(PHONE_DE); // unlisted: the default
    assertThat(e.event().context().path("traits").has("email")).isFalse();
  }

  @Test
  void dropAsTheDefaultRemovesDetectedFieldsOnly() {
    JsonNode traits = scrub(IDENTIFY, new PiiPolicy(PiiPolicy.Action.DROP, Map.of())).event().traits();
    assertThat(traits.has("email")).isFalse();
    assertThat(traits.has("phone")).isFalse();
    assertThat(traits.has("mobile")).isFalse();
    assertThat(traits.has("note")).isFalse();
    assertThat(traits.get("emails")).hasSize(1);
    assertThat(traits.path("address").has("contact")).isFalse();
    assertThat(traits.path("address").has("street")).isTrue();
    assertThat(traits.get("name").asText()).isEqualTo("Jane Doe");
  }

  @Test
  void keepAsTheDefaultStoresEverythingAsSent() {
    EnrichedEvent e = scrub(IDENTIFY, new PiiPolicy(PiiPolicy.Action.KEEP, Map.of()));
    assertThat(e.event().traits()).isEqualTo(PipelineFixtures.decode(IDENTIFY).traits());
  }

  @Test
  void numbersThatAreNotPhonesStayAlone() {
    String json = "{\"type\":\"track\",\"event\":\"Order Completed\",\"anonymousId\":\"a1\",\"properties\":{"
        + "\"order_id\":\"50314b8e9bcf000000000000\",\"total\":\"1299.90\",\"sku\":\"4006381333931\","
        + "\"revenue\":12345678,\"date\":\"2024-05-01\",\"delta\":\"+1000000\",\"intl\":\"+1 (650) 555-1234\","
        + "\"products\":[{\"email\":\"test@example.com\"}],\"customer\":{\"tel\":\"030 1234567\",\"hotel\":\"0301234567\"}}}";
    JsonNode p = scrub(json, PiiPolicy.defaults()).event().properties();
    assertThat(p.get("order_id").asText()).isEqualTo("50314b8e9bcf000000000000");
    assertThat(p.get("total").asText()).isEqualTo("1299.90");
    assertThat(p.get("sku").asText()).isEqualTo("4006381333931");
    assertThat(p.get("revenue").asLong()).isEqualTo(12345678);
    assertThat(p.get("date").asText()).isEqualTo("2024-05-01");
    assertThat(p.get("delta").asText()).isEqualTo("+1000000");
    assertThat(p.get("intl").asText()).isEqualTo(UserDataHashing.sha256Hex("16505551234"));
    assertThat(p.path("customer").get("tel").asText()).isEqualTo(UserDataHashing.sha256Hex("0301234567"));
    assertThat(p.path("customer").get("hotel").asText()).isEqualTo("0301234567");
    // Objects inside arrays are deeper than the step looks (documented limit).
    assertThat(p.get("products").get(0).get("email").asText()).isEqualTo("test@example.com");
  }

  @Test
  void detection() {
    assertThat(Emails.isEmail("jane.doe+shop@mail.example.co.uk")).isTrue();
    assertThat(Emails.isEmail(" Jane@Example.COM ")).isTrue();
    assertThat(Emails.isEmail("müller@bücher.de")).isTrue();
    assertThat(Emails.isEmail("@example.com")).isFalse();
    assertThat(Emails.isEmail("jane@localhost")).isFalse();
    assertThat(Emails.isEmail("jane@example.c")).isFalse();
    assertThat(Emails.isEmail("jane@@example.com")).isFalse();
    assertThat(Emails.isEmail("a@b.com c@d.com")).isFalse();
    assertThat(Emails.isEmail("@handle")).isFalse();
    assertThat(Emails.containsEmail("Mail an: info@shop.example.")).isTrue();
    assertThat(Emails.redact("Mail an: info@shop.example.")).isEqualTo("Mail an: [redacted].");
    assertThat(Emails.redact("a@b.com,c@d.org")).isEqualTo("[redacted],[redacted]");
    assertThat(Emails.containsEmail("@@@ @ x@ @y.z")).isFalse();
    assertThat(PiiScrub.isPhone("+49 151 12345678", true)).isTrue();
    assertThat(PiiScrub.isPhone("(030) 123-4567", true)).isTrue();
    assertThat(PiiScrub.isPhone("030 1234567", false)).isFalse();
    assertThat(PiiScrub.isPhone("+1234567890123456", true)).isFalse(); // 16 digits: longer than E.164
    assertThat(PiiScrub.isPhone("12:30:45 123", true)).isFalse();
    assertThat(PiiScrub.phoneField("billingPhone")).isTrue();
    assertThat(PiiScrub.phoneField("Mobile_Number")).isTrue();
    assertThat(PiiScrub.phoneField("hotel")).isFalse();
  }

  @Test
  void hostileValuesAreHarmless() {
    String json = "{\"type\":\"track\",\"event\":\"x\",\"anonymousId\":\"a1\",\"properties\":{"
        + "\"big\":\"" + "@".repeat(20_000) + "\",\"long\":\"" + "a".repeat(20_000) + "@" + "b".repeat(20_000) + ".com\","
        + "\"n\":null,\"f\":1.5e300,\"deep\":{\"deeper\":{\"email\":\"test@example.com\"}},\"\":\"test@example.com\"}}";
    JsonNode p = scrub(json, PiiPolicy.defaults()).event().properties();
    assertThat(p.get("big").asText()).hasSize(20_000);
    assertThat(p.get("long").asText()).hasSize(40_005); // a 20,000-character local part is no address
    assertThat(p.path("deep").path("deeper").get("email").asText()).isEqualTo("test@example.com"); // two levels down
    assertThat(p.get("").asText()).isEqualTo(TEST_AT_EXAMPLE);
  }

  @Test
  void aPolicyKeyMustBeANameOrAPathUnderAKnownRoot() {
    assertThatThrownBy(() -> new PiiPolicy(PiiPolicy.Action.HASH, Map.of("context.ip", PiiPolicy.Action.DROP)))
        .hasMessageContaining("privacy.pii.fields: 'context.ip'");
    assertThatThrownBy(() -> new PiiPolicy(PiiPolicy.Action.HASH, Map.of("traits.a.b.c", PiiPolicy.Action.DROP)))
        .hasMessageContaining("at most two names");
    assertThat(new PiiPolicy(PiiPolicy.Action.HASH, Map.of("email", PiiPolicy.Action.KEEP,
        "properties.customer.phone", PiiPolicy.Action.DROP)).configuredNames()).containsExactlyInAnyOrder("email", "phone");
  }
}
