package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sources' measurement-ids: which source a gtag.js hit belongs to. */
class GtagConfigTest {
  @TempDir
  Path dir;

  private Config load(String yaml, Map<String, String> flags) throws Exception {
    Path file = dir.resolve("trackside.yml");
    Files.writeString(file, "admin-token: file-token-0123456789\n" + yaml);
    return ConfigLoader.load(file, Map.of(), flags).config();
  }

  @Test
  void aSourceListsItsMeasurementIdsAndNeedsNoWriteKeyForGtagAlone() throws Exception {
    Config config = load("""
        sources:
          - name: web
            write-key: wk_web
            measurement-ids: [G-ABC123DEF4, g-second1]
          - name: landing
            measurement-ids: G-LANDING1
          - name: backend
            write-key: wk_backend
        """, Map.of());
    assertThat(config.sources()).extracting(Config.Source::name).containsExactly("web", "landing", "backend");
    assertThat(config.sources().get(0).measurementIds()).containsExactly("G-ABC123DEF4", "G-SECOND1");
    assertThat(config.sources().get(1).writeKey()).isNull();
    assertThat(config.sources().get(2).measurementIds()).isEmpty();
    assertThat(config.sourceByMeasurementId()).isEqualTo(Map.of("G-ABC123DEF4", "web", "G-SECOND1", "web",
        "G-LANDING1", "landing"));
    assertThat(config.sourceByWriteKey()).isEqualTo(Map.of("wk_web", "web", "wk_backend", "backend"));
    assertThat(config.sourceForWriteKey(null)).isNull();
  }

  @Test
  void theWriteKeyFlagRedefinesTheDefaultSourcesKeyAndKeepsItsMeasurementIds() throws Exception {
    Config config = load("sources: [{name: default, write-key: old, measurement-ids: [G-DEFAULT1]}]\n",
        Map.of("write-key", "new-key"));
    assertThat(config.sources()).containsExactly(new Config.Source("default", "new-key", List.of("G-DEFAULT1")));
  }

  @Test
  void mistakesStopTheStartWithTheReason() {
    assertThatThrownBy(() -> load("sources: [{name: web}]\n", Map.of()))
        .hasMessageContaining("needs a name and a write-key (Segment API) or measurement-ids (gtag.js)");
    assertThatThrownBy(() -> load("sources: [{name: web, measurement-ids: [UA-1234-1]}]\n", Map.of()))
        .hasMessageContaining("measurement-ids of source web must be GA4 measurement ids");
    assertThatThrownBy(() -> load("sources: [{name: web, measurement-ids: [{id: G-ABC123}]}]\n", Map.of()))
        .hasMessageContaining("measurement-ids of source web");
    assertThatThrownBy(() -> load("""
        sources:
          - {name: a, measurement-ids: [G-SAME1234]}
          - {name: b, measurement-ids: [g-same1234]}
        """, Map.of())).hasMessageContaining("sources a and b both list the measurement id G-SAME1234");
  }

  @Test
  void theSampleConfigShowsWhereMeasurementIdsGo() {
    assertThat(ConfigLoader.sampleConfig("wk", "at")).contains("# measurement-ids: [G-").contains("/g/collect");
  }
}
