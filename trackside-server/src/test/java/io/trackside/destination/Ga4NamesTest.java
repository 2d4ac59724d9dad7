package io.trackside.destination;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Ga4NamesTest {

  @Test
  void eventNamesBecomeLowerSnakeCase() {
    assertThat(Ga4Names.eventName("Video Played")).isEqualTo("video_played");
    assertThat(Ga4Names.eventName("videoPlayed")).isEqualTo("video_played");
    assertThat(Ga4Names.eventName("video_played")).isEqualTo("video_played");
    assertThat(Ga4Names.eventName("Video-Played (v2)")).isEqualTo("video_played_v2");
    assertThat(Ga4Names.eventName("step2Done")).isEqualTo("step2done");
    assertThat(Ga4Names.eventName("  --Signup!! ")).isEqualTo("signup");
    assertThat(Ga4Names.eventName("Café Visité")).isEqualTo("cafe_visite");
    assertThat(Ga4Names.eventName("HTMLExport")).isEqualTo("htmlexport");
  }

  @Test
  void aNameMustStartWithALetter() {
    assertThat(Ga4Names.eventName("2FA Enabled")).isEqualTo("ts_2fa_enabled");
    assertThat(Ga4Names.eventName("_private")).isEqualTo("private");
    assertThat(Ga4Names.eventName("注文")).isNull();
    assertThat(Ga4Names.eventName("!!!")).isNull();
    assertThat(Ga4Names.eventName(null)).isNull();
  }

  @Test
  void reservedEventNamesAndPrefixesAreEscaped() {
    assertThat(Ga4Names.eventName("Session Start")).isEqualTo("ts_session_start");
    assertThat(Ga4Names.eventName("first_visit")).isEqualTo("ts_first_visit");
    assertThat(Ga4Names.eventName("ga_custom")).isEqualTo("ts_ga_custom");
    assertThat(Ga4Names.eventName("Google Click")).isEqualTo("ts_google_click");
    assertThat(Ga4Names.eventName("Firebase Thing")).isEqualTo("ts_firebase_thing");
    // Not reserved in the Measurement Protocol: page_view is sent as is.
    assertThat(Ga4Names.eventName("page_view")).isEqualTo("page_view");
  }

  @Test
  void longNamesAreCutWithoutATrailingUnderscore() {
    String name = Ga4Names.eventName("A very long event name that somebody typed into the tracking plan");
    assertThat(name).hasSizeLessThanOrEqualTo(40).doesNotEndWith("_").startsWith("a_very_long_event_name");
    assertThat(Ga4Names.wellFormed(name, 40)).isTrue();
    String cutAtUnderscore = Ga4Names.eventName("x".repeat(39) + " tail");
    assertThat(cutAtUnderscore).isEqualTo("x".repeat(39));
  }

  @Test
  void parameterNamesFollowTheSameRulesWithTheirOwnReservedNames() {
    assertThat(Ga4Names.paramName("cartId")).isEqualTo("cart_id");
    assertThat(Ga4Names.paramName("firebase_conversion")).isEqualTo("ts_firebase_conversion");
    assertThat(Ga4Names.paramName("google_campaign")).isEqualTo("ts_google_campaign");
    assertThat(Ga4Names.paramName("session_start")).isEqualTo("session_start"); // reserved as an event only
    assertThat(Ga4Names.paramName("x".repeat(50))).hasSize(40);
  }

  @Test
  void reservedUserPropertiesAreSkippedNotRenamed() {
    assertThat(Ga4Names.userPropertyName("plan")).isEqualTo("plan");
    assertThat(Ga4Names.userPropertyName("user_id")).isNull();
    assertThat(Ga4Names.userPropertyName("firstVisitTime")).isNull();
    assertThat(Ga4Names.userPropertyName("ga_segment")).isNull();
    assertThat(Ga4Names.userPropertyName("Customer Lifetime Value Tier")).isEqualTo("customer_lifetime_value");
  }

  @Test
  void everySanitisedNameIsWellFormedAndUnreserved() {
    String[] awkward = {"Order Completed", "ORDER__COMPLETED", "9lives", "a", "é", "x y z", "ad_click",
        "firebase_", "_ga", "ümlaut Über", "tab\tname", "emoji 😀 name", "a".repeat(100), "Ünïcödé-Ñame_42"};
    for (String raw : awkward) {
      String event = Ga4Names.eventName(raw);
      String param = Ga4Names.paramName(raw);
      assertThat(Ga4Names.wellFormed(event, 40)).as(raw + " → " + event).isTrue();
      assertThat(Ga4Names.reservedEvent(event)).as(raw + " → " + event).isFalse();
      assertThat(Ga4Names.wellFormed(param, 40)).as(raw + " → " + param).isTrue();
      assertThat(Ga4Names.reservedParam(param)).as(raw + " → " + param).isFalse();
    }
  }
}
