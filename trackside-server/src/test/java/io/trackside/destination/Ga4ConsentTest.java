package io.trackside.destination;

import static io.trackside.destination.Ga4Fixtures.deliver;
import static io.trackside.destination.Ga4Fixtures.destination;
import static io.trackside.destination.Ga4Fixtures.requestFields;
import static io.trackside.destination.Ga4Fixtures.send;
import static io.trackside.destination.Ga4Fixtures.track;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.UserDataHashing;
import org.junit.jupiter.api.Test;

/** consent, user_data and user_properties: what GA4 may know about the person. */
class Ga4ConsentTest {

  private static final String ALL_GRANTED = "\"consent\":{\"categoryPreferences\":{\"Advertising\":true,\"Analytics\":true}}";
  private static final String TRAITS = "\"traits\":{\"email\":\"John.Smith@Gmail.com \",\"phone\":\"+49 151 2345-678\","
      + "\"firstName\":\"John\",\"lastName\":\"Smith\",\"plan\":\"pro\","
      + "\"address\":{\"street\":\"1 Main St\",\"city\":\"Berlin\",\"postalCode\":\"10115\",\"country\":\"de\"}}";

  private static String withContext(String... contextFields) {
    return track("Video Played", "{}", "{" + String.join(",", contextFields) + "}");
  }

  /** As with a PII policy that keeps e-mail and phone in clear (the pipeline's default hashes them). */
  private static void rawContactDetails(ObjectNode record) {
    ObjectNode traits = (ObjectNode) record.get("context").get("traits");
    traits.put("email", "John.Smith@Gmail.com ");
    traits.put("phone", "+49 151 2345-678");
  }

  @Test
  void withoutAnyConsentSignalGa4GetsNoConsentAndNoUserData() {
    JsonNode request = requestFields(destination().map(deliver(withContext(TRAITS), Ga4ConsentTest::rawContactDetails)));
    assertThat(request.has("consent")).isFalse();
    assertThat(request.has("user_data")).isFalse();
  }

  @Test
  void grantedAdvertisingSendsConsentAndUserDataHashedGooglesWay() {
    JsonNode request = requestFields(destination().map(
        deliver(withContext(ALL_GRANTED, TRAITS), Ga4ConsentTest::rawContactDetails)));
    assertThat(request.get("consent").toString()).isEqualTo("{\"ad_user_data\":\"GRANTED\",\"ad_personalization\":\"GRANTED\"}");
    JsonNode data = request.get("user_data");
    // Google: trimmed, lower-case, no dots before @gmail.com; phone in E.164.
    assertThat(data.get("sha256_email_address").get(0).asText()).isEqualTo(UserDataHashing.sha256Hex("johnsmith@gmail.com"));
    assertThat(data.get("sha256_phone_number").get(0).asText()).isEqualTo(UserDataHashing.sha256Hex("+491512345678"));
    JsonNode address = data.get("address").get(0);
    assertThat(address.get("sha256_first_name").asText()).isEqualTo(UserDataHashing.sha256Hex("john"));
    assertThat(address.get("sha256_last_name").asText()).isEqualTo(UserDataHashing.sha256Hex("smith"));
    assertThat(address.get("sha256_street").asText()).isEqualTo(UserDataHashing.sha256Hex("1 main st"));
    assertThat(address.get("city").asText()).isEqualTo("Berlin");
    assertThat(address.get("postal_code").asText()).isEqualTo("10115");
    assertThat(address.get("country").asText()).isEqualTo("DE");
    assertThat(request.toString()).doesNotContain("Smith@").doesNotContain("151 2345");
  }

  @Test
  void valuesThePipelineHashedArePassedOnAsHashes() {
    DeliveryEvent e = deliver(withContext(ALL_GRANTED, TRAITS));
    String stored = e.trait("email");
    assertThat(UserDataHashing.isSha256Hex(stored)).as("the default PII policy hashed it").isTrue();
    JsonNode data = requestFields(destination().map(e)).get("user_data");
    assertThat(data.get("sha256_email_address").get(0).asText()).isEqualTo(stored);
    assertThat(data.get("sha256_phone_number").get(0).asText()).isEqualTo(e.trait("phone"));

    String upperCaseHash = UserDataHashing.sha256Hex("x@example.com").toUpperCase();
    DeliveryEvent preHashed = deliver(withContext(ALL_GRANTED, "\"traits\":{\"email\":\"" + upperCaseHash + "\"}"));
    assertThat(requestFields(destination().map(preHashed)).get("user_data").get("sha256_email_address").get(0).asText())
        .isEqualTo(upperCaseHash.toLowerCase());
  }

  @Test
  void aPhoneNumberWithoutItsCountryCodeIsNotSent() {
    JsonNode data = requestFields(destination().map(deliver(withContext(ALL_GRANTED, TRAITS),
        record -> ((ObjectNode) record.get("context").get("traits")).put("email", "a@example.com")
            .put("phone", "0151 2345678")))).get("user_data");
    assertThat(data.has("sha256_email_address")).isTrue();
    assertThat(data.has("sha256_phone_number")).isFalse();
  }

  @Test
  void googleConsentModeDenialsWinOverTheGeneralAdvertisingPurpose() {
    // ad_storage granted makes the pipeline grant "advertising", but ad_user_data and ad_personalization were refused.
    String consentMode = "\"consent\":{\"ad_storage\":\"granted\",\"analytics_storage\":\"granted\","
        + "\"ad_user_data\":\"denied\",\"ad_personalization\":\"denied\"}";
    DeliveryEvent e = deliver(withContext(consentMode, TRAITS), Ga4ConsentTest::rawContactDetails);
    assertThat(e.consent()).contains("advertising", "ad_storage");
    JsonNode request = requestFields(destination().map(e));
    assertThat(request.get("consent").toString()).isEqualTo("{\"ad_user_data\":\"DENIED\",\"ad_personalization\":\"DENIED\"}");
    assertThat(request.has("user_data")).isFalse();

    String dataOnly = "\"consent\":{\"ad_storage\":\"granted\",\"analytics_storage\":\"granted\","
        + "\"ad_user_data\":\"granted\",\"ad_personalization\":\"denied\"}";
    JsonNode partly = requestFields(destination().map(deliver(withContext(dataOnly, TRAITS), Ga4ConsentTest::rawContactDetails)));
    assertThat(partly.get("consent").toString()).isEqualTo("{\"ad_user_data\":\"GRANTED\",\"ad_personalization\":\"DENIED\"}");
    assertThat(partly.has("user_data")).isTrue();
  }

  @Test
  void analyticsOnlyMeansNoUserData() {
    String analyticsOnly = "\"consent\":{\"categoryPreferences\":{\"Advertising\":false,\"Analytics\":true}}";
    JsonNode request = requestFields(destination().map(deliver(withContext(analyticsOnly, TRAITS), Ga4ConsentTest::rawContactDetails)));
    assertThat(request.get("consent").toString()).isEqualTo("{\"ad_user_data\":\"DENIED\",\"ad_personalization\":\"DENIED\"}");
    assertThat(request.has("user_data")).isFalse();
  }

  @Test
  void theUserDataOptionTurnsItOff() {
    JsonNode request = requestFields(destination("user-data", "false").map(deliver(withContext(ALL_GRANTED, TRAITS))));
    assertThat(request.get("consent").get("ad_user_data").asText()).isEqualTo("GRANTED");
    assertThat(request.has("user_data")).isFalse();
  }

  @Test
  void traitsBecomeUserPropertiesWithoutPersonalData() {
    StringBuilder traits = new StringBuilder("\"traits\":{\"plan\":\"pro\",\"email\":\"a@b.example\","
        + "\"phone\":\"+49 151 2345678\",\"firstName\":\"John\",\"contactEmail\":\"x\",\"note\":\"write to a@b.example\","
        + "\"user_id\":\"u-1\",\"ga_segment\":\"x\",\"company\":{\"name\":\"Acme\"},\"isTrial\":false,\"seats\":12,"
        + "\"favouriteColourOfTheWeekend\":\"" + "blue".repeat(20) + "\"");
    for (int i = 0; i < 30; i++) {
      traits.append(",\"t").append(i).append("\":").append(i);
    }
    JsonNode properties = requestFields(destination().map(deliver(withContext(traits.append('}').toString()))))
        .get("user_properties");
    assertThat(properties.size()).isEqualTo(25);
    assertThat(properties.get("plan").get("value").asText()).isEqualTo("pro");
    assertThat(properties.get("is_trial").get("value").asText()).isEqualTo("false");
    assertThat(properties.get("seats").get("value").asInt()).isEqualTo(12);
    assertThat(properties.get("favourite_colour_of_the").get("value").asText()).hasSize(36);
    assertThat(properties.toString()).doesNotContain("email").doesNotContain("phone").doesNotContain("first_name")
        .doesNotContain("a@b").doesNotContain("user_id").doesNotContain("ga_segment").doesNotContain("company");
    for (var entry : properties.properties()) {
      assertThat(Ga4Names.wellFormed(entry.getKey(), 24)).as(entry.getKey()).isTrue();
    }
    JsonNode off = requestFields(destination("user-properties", "false").map(deliver(withContext("\"traits\":{\"plan\":\"pro\"}"))));
    assertThat(off.has("user_properties")).isFalse();
  }

  @Test
  void eventsWithDifferentRequestFieldsNeverShareABatch() {
    String anon = "anon-ga4-batch";
    String base = "{\"type\":\"track\",\"event\":\"Video Played\",\"anonymousId\":\"" + anon + "\","
        + "\"timestamp\":\"2024-05-01T10:00:00Z\",\"messageId\":\"%s\",\"context\":{%s}}";
    Mapped.Send granted = send(destination().map(deliver(String.format(base, "b1", ALL_GRANTED))));
    Mapped.Send grantedAgain = send(destination().map(deliver(String.format(base, "b2", ALL_GRANTED))));
    Mapped.Send unknown = send(destination().map(deliver(String.format(base, "b3", ""))));
    Mapped.Send otherTraits = send(destination().map(deliver(String.format(base, "b4",
        ALL_GRANTED + ",\"traits\":{\"plan\":\"pro\"}"))));
    assertThat(requestFields(granted).get("client_id")).isEqualTo(requestFields(unknown).get("client_id"));
    assertThat(granted.batchKey()).isEqualTo(grantedAgain.batchKey())
        .isNotEqualTo(unknown.batchKey()).isNotEqualTo(otherTraits.batchKey());
  }
}
