package io.trackside.destination;

import static io.trackside.destination.MetaTestEvents.FBCLID;
import static io.trackside.destination.MetaTestEvents.NOW;
import static io.trackside.destination.MetaTestEvents.page;
import static io.trackside.destination.MetaTestEvents.track;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.text.Normalizer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * user_data: Meta's normalisation and hashing against known vectors. Every expected hash was
 * computed outside this code, with {@code printf %s <normalised value> | sha256sum}.
 */
class MetaUserDataTest {

  private static final String JOHN_DOE_AT_EXAMPLE = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f";
  private static final String PHONE_16505551212 = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";
  private static final String JOHN = "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a";
  private static final String DOE = "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f";
  private static final String MARYANN = "16b3f07f0ec2f9dd127b71dc2e6c791b7d93116a1c3bc99d057eaa7a8a077e73";
  private static final String OBRIEN = "b4cb6cb33fe4b865868de825023a1e2790dc12ac01ecc8d7c5afe8254071c8ba";
  private static final String JOSE = "d994e1d001886fe5b45b1267bd1fa2b752ac50742579bd3dad7b2a2aa0ed6866"; // "josé", é = U+00E9
  private static final String SANFRANCISCO = "1a6bd4d9d79dc0a79b53795c70d3349fa9e38968a3fbefbfe8783efb1d2b6aac";
  private static final String CA = "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126";
  private static final String ZIP_94035 = "1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e";
  private static final String ZIP_00950 = "157c5bb53cacd69115a429c3a9257890995f3410caf57a12e1959f70c7b3fbec";
  private static final String ZIP_SW1A1AA = "830e1d4b9838bab1f5c2acdb23e0b502ff13a9832c4632e8d67a1d43d3b7f614";
  private static final String US = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621";
  private static final String DE = "959a45d44e6fcf58361ed004681556fe50129f2109e817dec098c00c9e5d2578";
  private static final String U_42 = "16ec525b74b75626eb93ecad8acc749885fcf4e83c95b139342769a4ab1828a3";

  private static ObjectNode userData(MetaTestEvents.Builder event) {
    return MetaUserData.of(event.build());
  }

  @Test
  void emailIsTrimmedLowerCasedAndHashed() {
    assertThat(MetaMatchKeys.email("  John.Doe@Example.COM ")).isEqualTo(JOHN_DOE_AT_EXAMPLE);
    assertThat(MetaMatchKeys.email("john.doe@example.com")).isEqualTo(JOHN_DOE_AT_EXAMPLE);
    assertThat(MetaMatchKeys.email("not an address")).isNull();
    assertThat(MetaMatchKeys.email("john@localhost")).isNull();
  }

  @Test
  void phoneIsDigitsWithCountryCode() {
    assertThat(MetaMatchKeys.phone("+1 (650) 555-1212")).isEqualTo(PHONE_16505551212);
    assertThat(MetaMatchKeys.phone("001 650 555 1212")).isEqualTo(PHONE_16505551212);
    assertThat(MetaMatchKeys.phone("1-650-555-1212")).isEqualTo(PHONE_16505551212);
    assertThat(MetaMatchKeys.phone("12-34")).isNull();
  }

  @Test
  void namesAreLowerCaseLettersOnlyInUtf8() {
    assertThat(MetaMatchKeys.name(" John ")).isEqualTo(JOHN);
    assertThat(MetaMatchKeys.name("DOE")).isEqualTo(DOE);
    assertThat(MetaMatchKeys.name("Mary-Ann")).isEqualTo(MARYANN);
    assertThat(MetaMatchKeys.name("Mary Ann")).isEqualTo(MARYANN);
    assertThat(MetaMatchKeys.name("O'Brien")).isEqualTo(OBRIEN);
    assertThat(MetaMatchKeys.name("José")).isEqualTo(JOSE);
    // The same name typed with a combining accent (e + U+0301) hashes the same.
    assertThat(MetaMatchKeys.name(Normalizer.normalize("José", Normalizer.Form.NFD))).isEqualTo(JOSE);
    assertThat(MetaMatchKeys.name("--")).isNull();
  }

  @Test
  void cityStateZipCountry() {
    assertThat(MetaMatchKeys.city("San Francisco")).isEqualTo(SANFRANCISCO);
    assertThat(MetaMatchKeys.city(" san francisco. ")).isEqualTo(SANFRANCISCO);
    assertThat(MetaMatchKeys.state("CA")).isEqualTo(CA);
    assertThat(MetaMatchKeys.zip("94035-1234")).isEqualTo(ZIP_94035);
    assertThat(MetaMatchKeys.zip(" 94035 ")).isEqualTo(ZIP_94035);
    assertThat(MetaMatchKeys.zip("00-950")).isEqualTo(ZIP_00950); // a Polish code keeps both halves
    assertThat(MetaMatchKeys.zip("SW1A 1AA")).isEqualTo(ZIP_SW1A1AA);
    assertThat(MetaMatchKeys.country("US")).isEqualTo(US);
    assertThat(MetaMatchKeys.country("us ")).isEqualTo(US);
    assertThat(MetaMatchKeys.country("United States")).isEqualTo(US);
    assertThat(MetaMatchKeys.country("USA")).isEqualTo(US);
    assertThat(MetaMatchKeys.country("Germany")).isEqualTo(DE);
    assertThat(MetaMatchKeys.country("DEU")).isEqualTo(DE);
    assertThat(MetaMatchKeys.country("Atlantis")).isNull();
    assertThat(MetaMatchKeys.country("XX")).isNull();
  }

  @Test
  void hashesFromThePipelinePassThroughLowerCased() {
    assertThat(MetaMatchKeys.email(JOHN_DOE_AT_EXAMPLE.toUpperCase())).isEqualTo(JOHN_DOE_AT_EXAMPLE);
    assertThat(MetaMatchKeys.phone(PHONE_16505551212)).isEqualTo(PHONE_16505551212);
    // A hash must not be "normalised": letters-only would strip its digits.
    assertThat(MetaMatchKeys.name(JOHN)).isEqualTo(JOHN);
    assertThat(MetaMatchKeys.zip(ZIP_94035)).isEqualTo(ZIP_94035);
    assertThat(MetaMatchKeys.country(US)).isEqualTo(US);
  }

  @Test
  void traitsOfTheEventAndItsContextBecomeHashedArrays() {
    ObjectNode user = userData(track("Order Completed").userId("U-42")
        .traits("{\"email\":\"John.Doe@example.com\",\"firstName\":\"John\",\"address\":{\"city\":\"San Francisco\","
            + "\"state\":\"CA\",\"postalCode\":\"94035-1234\",\"country\":\"US\"}}")
        .context("{\"traits\":{\"phone\":\"+1 (650) 555-1212\",\"last_name\":\"Doe\"}}"));
    assertThat(user.get("em")).containsExactly(text(JOHN_DOE_AT_EXAMPLE));
    assertThat(user.get("ph")).containsExactly(text(PHONE_16505551212));
    assertThat(user.get("fn")).containsExactly(text(JOHN));
    assertThat(user.get("ln")).containsExactly(text(DOE));
    assertThat(user.get("ct")).containsExactly(text(SANFRANCISCO));
    assertThat(user.get("st")).containsExactly(text(CA));
    assertThat(user.get("zp")).containsExactly(text(ZIP_94035));
    assertThat(user.get("country")).containsExactly(text(US));
    assertThat(user.get("external_id")).containsExactly(text(U_42)); // "U-42" trimmed, lower-cased
  }

  @Test
  void severalValuesAndTheSameValueTwice() {
    ObjectNode user = userData(track("Signed Up")
        .traits("{\"email\":[\"john.doe@example.com\",\"  JOHN.DOE@example.com\",\"x\"]}")
        .context("{\"traits\":{\"email\":\"" + JOHN_DOE_AT_EXAMPLE + "\",\"phone\":16505551212}}"));
    assertThat(user.get("em")).containsExactly(text(JOHN_DOE_AT_EXAMPLE)); // one value, once
    assertThat(user.get("ph")).containsExactly(text(PHONE_16505551212)); // a JSON number
  }

  @Test
  void addressAndBrowserAreSentAsTheyAre() {
    ObjectNode user = userData(page().ip("2001:db8::").userAgent("Mozilla/5.0 (X11; Linux x86_64)"));
    assertThat(user.get("client_ip_address").asText()).isEqualTo("2001:db8::");
    assertThat(user.get("client_user_agent").asText()).isEqualTo("Mozilla/5.0 (X11; Linux x86_64)");
    assertThat(user.has("em")).isFalse();
    assertThat(user.has("external_id")).isFalse();
  }

  @Test
  void fbcIsBuiltFromTheLandingUrlsFbclidUnaltered() {
    Instant clicked = NOW.minusSeconds(3600);
    ObjectNode user = userData(page().fbclid(FBCLID).at(clicked.minusSeconds(1), clicked));
    assertThat(user.get("fbc").asText()).isEqualTo("fb.1." + clicked.toEpochMilli() + "." + FBCLID);
  }

  @Test
  void fbcAndFbpCookiesWinAndMustLookLikeMetasCookies() {
    String cookie = "fb.1.1763000000000.IwAR-from-cookie";
    assertThat(userData(page().fbclid(FBCLID).context("{\"cookies\":{\"_fbc\":\"" + cookie + "\"}}"))
        .get("fbc").asText()).isEqualTo(cookie);
    assertThat(userData(page().context("{\"fbc\":\"" + cookie + "\"}")).get("fbc").asText()).isEqualTo(cookie);
    assertThat(userData(page().properties("{\"fbc\":\"" + cookie + "\"}")).get("fbc").asText()).isEqualTo(cookie);
    assertThat(userData(page().context("{\"fbc\":\"garbage\"}")).has("fbc")).isFalse();

    String fbp = "fb.1.1762000000000.1098115397";
    assertThat(userData(page().context("{\"cookies\":{\"_fbp\":\"" + fbp + "\"}}")).get("fbp").asText())
        .isEqualTo(fbp);
    assertThat(userData(page().properties("{\"fbp\":\"" + fbp + "\"}")).get("fbp").asText()).isEqualTo(fbp);
    assertThat(userData(page()).has("fbp")).isFalse();
  }

  @Test
  void matchableNeedsAnIdentifierOrAddressWithBrowser() {
    assertThat(MetaUserData.matchable(userData(page()))).isTrue(); // IP + User-Agent
    assertThat(MetaUserData.matchable(userData(page().ip(null)))).isFalse(); // the browser alone
    assertThat(MetaUserData.matchable(userData(page().ip(null).userId("u-42")))).isTrue();
    assertThat(MetaUserData.matchable(userData(page().ip(null).fbclid(FBCLID)))).isTrue();
    assertThat(MetaUserData.matchable(userData(page().ip(null)
        .traits("{\"firstName\":\"John\",\"postalCode\":\"94035\"}")))).isTrue();
    assertThat(MetaUserData.matchable(userData(page().ip(null).traits("{\"firstName\":\"John\"}")))).isFalse();
  }

  private static JsonNode text(String value) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(value);
  }
}
