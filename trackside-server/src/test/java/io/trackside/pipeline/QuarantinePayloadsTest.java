package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuarantinePayloadsTest {

  private static String scrub(String json) {
    byte[] out = QuarantinePayloads.scrub(json.getBytes(StandardCharsets.UTF_8));
    return out == null ? null : new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void aClientAddressInTheContextIsTruncated() {
    assertThat(scrub("{\"type\":\"track\",\"context\":{\"ip\":\"198.51.100.23\",\"locale\":\"de\"}}"))
        .contains("\"ip\":\"198.51.100.0\"").doesNotContain("198.51.100.23").contains("\"locale\":\"de\"");
    assertThat(scrub("{\"context\":{\"ip\":\"2001:db8:85a3:8d3:1319:8a2e:370:7348\"}}"))
        .contains("2001:db8:85a3::").doesNotContain("7348");
  }

  @Test
  void somethingThatIsNotAnAddressIsRemovedRatherThanKept() {
    assertThat(scrub("{\"context\":{\"ip\":\"not-an-ip 198.51.100.23\"}}")).isEqualTo("{\"context\":{}}");
  }

  @Test
  void everythingElseIsKeptAsReceived() {
    String noIp = "{\"type\":\"track\",\"context\":{\"page\":{\"url\":\"https://x\"}}}";
    assertThat(scrub(noIp)).isEqualTo(noIp);
    assertThat(scrub("{broken json")).isEqualTo("{broken json");
    assertThat(scrub("[1,2]")).isEqualTo("[1,2]");
    assertThat(QuarantinePayloads.scrub(null)).isNull();
  }
}
