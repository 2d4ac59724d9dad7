package io.trackside.destination;

import static io.trackside.destination.MetaTestEvents.destination;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What Meta's answers mean, from answers written as Graph API sends them. */
class MetaVerdictTest {

  private static Verdict verdict(int status, String body) {
    return destination().verdict(status, body);
  }

  private static String error(int code, int subcode, boolean isTransient) {
    return "{\"error\":{\"message\":\"Invalid parameter\",\"type\":\"OAuthException\",\"code\":" + code
        + ",\"error_subcode\":" + subcode + ",\"is_transient\":" + isTransient
        + ",\"error_user_title\":\"Event time too old\",\"error_user_msg\":\"event_time is too far in the past\","
        + "\"fbtrace_id\":\"AbC123xyz\"}}";
  }

  @Test
  void successIsDelivered() {
    assertThat(verdict(200, "{\"events_received\":2,\"messages\":[],\"fbtrace_id\":\"A1\"}"))
        .isEqualTo(Verdict.DELIVERED);
  }

  @Test
  void anInvalidParameterIsRejectedWithEverythingMetaSaid() {
    Verdict verdict = verdict(400, error(100, 2804003, false));
    assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
    assertThat(((Verdict.Rejected) verdict).reason())
        .contains("400", "OAuthException", "code=100", "subcode=2804003", "Invalid parameter",
            "event_time is too far in the past", "fbtrace_id=AbC123xyz");
  }

  @Test
  void isTransientMeansTryAgain() {
    assertThat(verdict(400, error(100, 0, true))).isInstanceOf(Verdict.Retry.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 17, 341})
  void temporaryAndThrottlingCodesAreRetried(int code) {
    Verdict verdict = verdict(400, error(code, 0, false));
    assertThat(verdict).isInstanceOf(Verdict.Retry.class);
    assertThat(((Verdict.Retry) verdict).reason()).contains("code=" + code);
  }

  @ParameterizedTest
  @ValueSource(ints = {190, 102, 10, 200, 270})
  void aBadTokenOrMissingPermissionWaitsForTheOperatorInsteadOfDeadLetteringEverything(int code) {
    Verdict verdict = verdict(400, error(code, 0, false));
    assertThat(verdict).isInstanceOf(Verdict.Retry.class);
    assertThat(((Verdict.Retry) verdict).reason()).startsWith("meta_setup");
  }

  @Test
  void anUnreachablePixelIsASetupError() {
    assertThat(verdict(400, error(100, 33, false))).isInstanceOf(Verdict.Retry.class);
  }

  @Test
  void anAnswerThatIsNotMetasJsonIsRejectedWithItsStatus() {
    Verdict verdict = verdict(413, "<html>Request Entity Too Large</html>");
    assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
    assertThat(((Verdict.Rejected) verdict).reason()).contains("413", "Too Large");
    assertThat(verdict(400, "")).isInstanceOf(Verdict.Rejected.class);
    assertThat(verdict(400, null)).isInstanceOf(Verdict.Rejected.class);
    assertThat(verdict(400, "{\"message\":\"no error object\"}")).isInstanceOf(Verdict.Rejected.class);
  }
}
