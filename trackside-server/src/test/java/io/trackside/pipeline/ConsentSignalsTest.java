package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConsentSignalsTest {

  /** IAB's own example string (in the TCF spec's "Where should the TC String be stored" section and many decoders' tests). */
  static final String IAB_EXAMPLE = "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACE"
      + "AAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw";
  /** Prebid.js's tcfUtils tests: purposes 1, 3, 5, 7, 9 (from CMP 652, vendor list 153). */
  static final String PREBID_ODD = "CPh7_cXPh7_cXKMAAAENCZCAAKqAAAAAAAAAAAAAAAAA.II7Nd_X__bX9n-_7_6ft0eY1f9_r37uQzDhfNs-8F3L_W_"
      + "LwX32E7NF36tq4KmR4ku1bBIQNtHMnUDUmxaolVrzHsak2cpyNKJ_JkknsZe2dYGF9Pn9lD-YKZ7_5_9_f52T_9_9_-39z3_9f___dv_-__-vjf_"
      + "599n_v9fV_78_Kf9______-____________8A";
  /** Prebid.js: purposes 2, 4, 6, 8, 10. */
  static final String PREBID_EVEN = "CPh8CeXPh8CeXMgAAAENCZCAAFVAAAAAAAAAAAAAAAAA";
  /** Prebid.js: purposes 1 to 10. */
  static final String PREBID_ALL = "CPh8CoIPh8CoINYAAAENCZCAAP_AAAAAAAAAAAAAAAAA";
  /** Prebid.js: no purpose. */
  static final String PREBID_NONE = "CPh8CjOPh8CjOEZAAAENCZCAAAAAAAAAAAAAAAAAAAAA";
  /**
   * TCF 2.2 (policy version 5) strings written by the IAB Tech Lab's reference encoder
   * (@iabtechlabtcf/core 1.5.21) and read back with its decoder: purposes 1, 7, 8, 9, 10 with
   * consent (legitimate interest 2, 7-10), and purposes 1-11, CMP 7, vendor list 75, DE.
   */
  static final String TCF22_MEASUREMENT = "CQHovfwQHovfwAHADBENBLFgAIPAAEPAAAYgAAAAAAAA.IAAA.YAAAAAAAAAAA";
  static final String TCF22_ALL = "CQHovfwQHovfwAHADBENBLFgAP_gAEPAAAYgAAAAAAAA.IAAA.YAAAAAAAAAAA";

  private static EnrichedEvent withContext(String contextJson) {
    return PipelineFixtures.run("{\"type\":\"track\",\"event\":\"Order Completed\",\"anonymousId\":\"a1\","
        + "\"context\":" + contextJson + "}", new ConsentSignals());
  }

  @Test
  void theCoreSegmentDecodesAsTheReferenceLibrariesDo() {
    TcString iab = TcString.decode(IAB_EXAMPLE);
    assertThat(iab.version()).isEqualTo(2);
    assertThat(iab.cmpId()).isEqualTo(27);
    assertThat(iab.vendorListVersion()).isEqualTo(15);
    assertThat(iab.policyVersion()).isEqualTo(2);
    assertThat(Instant.ofEpochMilli(iab.createdMillis())).isEqualTo(Instant.parse("2020-02-20T23:57:39.300Z"));
    assertThat(iab.publisherCountry()).isEqualTo("AA");
    assertThat(purposes(iab)).isEqualTo("1,2,3");

    assertThat(purposes(TcString.decode(PREBID_ODD))).isEqualTo("1,3,5,7,9");
    assertThat(TcString.decode(PREBID_ODD).cmpId()).isEqualTo(652);
    assertThat(purposes(TcString.decode(PREBID_EVEN))).isEqualTo("2,4,6,8,10");
    assertThat(purposes(TcString.decode(PREBID_ALL))).isEqualTo("1,2,3,4,5,6,7,8,9,10");
    assertThat(purposes(TcString.decode(PREBID_NONE))).isEmpty();

    TcString tcf22 = TcString.decode(TCF22_MEASUREMENT);
    assertThat(tcf22.policyVersion()).isEqualTo(5);
    assertThat(tcf22.cmpId()).isEqualTo(7);
    assertThat(tcf22.vendorListVersion()).isEqualTo(75);
    assertThat(tcf22.publisherCountry()).isEqualTo("DE");
    assertThat(Instant.ofEpochMilli(tcf22.createdMillis())).isEqualTo(Instant.parse("2024-11-05T09:30:00Z"));
    assertThat(purposes(tcf22)).isEqualTo("1,7,8,9,10");
    assertThat(Integer.bitCount(tcf22.purposesLegitimateInterest())).isEqualTo(5);
    assertThat(purposes(TcString.decode(TCF22_ALL))).isEqualTo("1,2,3,4,5,6,7,8,9,10,11");
  }

  @Test
  void whatIsNotAVersion2TcStringIsIgnored() {
    assertThat(TcString.decode(null)).isNull();
    assertThat(TcString.decode("")).isNull();
    assertThat(TcString.decode("CPh7_cXPh7")).isNull(); // too short
    assertThat(TcString.decode("CPh7_cXPh7_cXKMAAAENCZCA??????????AAAAAAAAAAAAAAA")).isNull(); // not base64url
    assertThat(TcString.decode("BPh8CjOPh8CjOEZAAAENCZCAAAAAAAAAAAAAAAAAAAAA")).isNull(); // version 1
    assertThat(TcString.decode("A".repeat(20_000))).isNull();
    assertThat(TcString.decode("\uD83D\uDE00".repeat(40))).isNull();
  }

  @Test
  void tcfPurposesMapToTheNamesDestinationsCheck() {
    EnrichedEvent all = withContext("{\"consent\":{\"tcfString\":\"" + TCF22_ALL + "\"}}");
    assertThat(all.consentKnown).isTrue();
    assertThat(all.consent).contains("ad_storage", "ad_user_data", "ad_personalization", "advertising",
        "analytics_storage", "analytics", "personalization", "tcf_purpose_1", "tcf_purpose_11");

    // Storage and measurement, no ad profiles: analytics yes, advertising no.
    EnrichedEvent measurement = withContext("{\"consent\":{\"gdpr_consent\":\"" + TCF22_MEASUREMENT + "\"}}");
    assertThat(measurement.consent).containsExactlyInAnyOrder("ad_storage", "ad_user_data", "analytics_storage",
        "analytics", "tcf_purpose_1", "tcf_purpose_7", "tcf_purpose_8", "tcf_purpose_9", "tcf_purpose_10");

    // Without purpose 1 (storage), nothing that needs the device is granted.
    EnrichedEvent even = withContext("{\"tcf\":{\"tcString\":\"" + PREBID_EVEN + "\"}}");
    assertThat(even.consent).containsExactlyInAnyOrder("tcf_purpose_2", "tcf_purpose_4", "tcf_purpose_6",
        "tcf_purpose_8", "tcf_purpose_10");

    EnrichedEvent none = withContext("{\"gdpr_consent\":\"" + PREBID_NONE + "\"}");
    assertThat(none.consentKnown).isTrue();
    assertThat(none.consent).isEmpty();
  }

  @Test
  void segmentCategoriesAreNormalised() {
    EnrichedEvent e = withContext("{\"consent\":{\"categoryPreferences\":{\"Advertising\":true,\"Analytics\":false,"
        + "\"Functional\":true,\"Personalization\":\"true\",\"Strictly Necessary\":true,\"C0004\":true,"
        + "\"SaleOfData\":false,\"weird\":{\"x\":1},\"performance\":null}}}");
    assertThat(e.consentKnown).isTrue();
    assertThat(e.consent).containsExactlyInAnyOrder("advertising", "functional", "personalization", "necessary", "c0004");
  }

  @Test
  void googleConsentModeSignalsKeepTheirNamesAndImplyTheGeneralPurpose() {
    EnrichedEvent e = withContext("{\"consent\":{\"ad_storage\":\"granted\",\"analytics_storage\":\"granted\","
        + "\"ad_user_data\":\"denied\",\"ad_personalization\":\"DENIED\",\"functionality_storage\":\"maybe\"}}");
    assertThat(e.consentKnown).isTrue();
    assertThat(e.consent).containsExactlyInAnyOrder("ad_storage", "advertising", "analytics_storage", "analytics");
  }

  @Test
  void aRefusalFromAnySignalWins() {
    EnrichedEvent e = withContext("{\"consent\":{\"categoryPreferences\":{\"Advertising\":true,\"Analytics\":true},"
        + "\"ad_storage\":\"denied\",\"tcfString\":\"" + TCF22_MEASUREMENT + "\"}}");
    assertThat(e.consent).contains("analytics", "analytics_storage")
        .doesNotContain("advertising", "ad_storage", "ad_personalization");
  }

  @Test
  void noSignalIsUnknownNotRefused() {
    for (String context : new String[] {"{}", "{\"consent\":{}}", "{\"consent\":\"yes\"}", "{\"consent\":[1,2]}",
        "{\"consent\":{\"categoryPreferences\":[true]}}", "{\"consent\":{\"tcfString\":\"nonsense\"}}",
        "{\"consent\":{\"ad_storage\":42}}"}) {
      EnrichedEvent e = withContext(context);
      assertThat(e.consentKnown).as(context).isFalse();
      assertThat(e.consent).as(context).isEmpty();
    }
  }

  @Test
  void manyCategoriesAreBounded() {
    StringBuilder categories = new StringBuilder("{");
    for (int i = 0; i < 1_000; i++) {
      categories.append(i == 0 ? "" : ",").append("\"cat").append(i).append("\":true");
    }
    EnrichedEvent e = withContext("{\"consent\":{\"categoryPreferences\":" + categories + "}}}");
    assertThat(e.consent).hasSize(64);
  }

  private static String purposes(TcString tc) {
    StringBuilder out = new StringBuilder();
    for (int p = 1; p <= 24; p++) {
      if (tc.purposeConsent(p)) {
        out.append(out.length() == 0 ? "" : ",").append(p);
      }
    }
    return out.toString();
  }
}
