package io.trackside.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The SDK's JSON writer, read back by Jackson (what the server parses with). */
class JsonTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  private static JsonNode roundTrip(Object value) throws Exception {
    return JACKSON.readTree(Json.write(value).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyControlCharacterQuoteAndBackslashIsEscapedAndReadsBackUnchanged() throws Exception {
    StringBuilder all = new StringBuilder("quote \" backslash \\ slash / ");
    for (char c = 0; c < 0x20; c++) {
      all.append(c);
    }
    all.append('\u007f').append(" é ü 中 \u2028 \uD83D\uDE00");
    String json = Json.write(all.toString());
    assertThat(json).doesNotContainPattern("[\\x00-\\x1f]");
    assertThat(json).contains("\\u0000", "\\u001F", "\\n", "\\t", "\\\"", "\\\\", "\\uD83D\\uDE00");
    assertThat(roundTrip(all.toString()).asText()).isEqualTo(all.toString());
  }

  @Test
  void loneSurrogatesBecomeTheReplacementCharacterAndPairsStay() throws Exception {
    assertThat(roundTrip("a\uD83Db").asText()).isEqualTo("a\uFFFDb"); // high without low
    assertThat(roundTrip("a\uDE00b").asText()).isEqualTo("a\uFFFDb"); // low without high
    assertThat(roundTrip("end\uD83D").asText()).isEqualTo("end\uFFFD"); // high at the very end
    assertThat(roundTrip("\uDE00\uD83D").asText()).isEqualTo("\uFFFD\uFFFD"); // reversed pair
    assertThat(roundTrip("\uD83D\uDE00").asText()).isEqualTo("\uD83D\uDE00");
    assertThat(Json.write("\uD83D").getBytes(StandardCharsets.UTF_8)).containsExactly('"', 0xEF, 0xBF, 0xBD, '"');
  }

  @Test
  void numbersBooleansNullAndNonFiniteValues() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("int", 42);
    m.put("long", Long.MAX_VALUE);
    m.put("negative", -7);
    m.put("double", 19.5);
    m.put("tiny", 1.0e-7);
    m.put("huge", 1.0e300);
    m.put("float", 0.25f);
    m.put("bigDecimal", new BigDecimal("12345678901234567890.123456789"));
    m.put("bigInteger", new BigInteger("123456789012345678901234567890"));
    m.put("nan", Double.NaN);
    m.put("infinity", Double.POSITIVE_INFINITY);
    m.put("floatNan", Float.NaN);
    m.put("true", true);
    m.put("null", null);
    JsonNode n = roundTrip(m);
    assertThat(n.get("int").asInt()).isEqualTo(42);
    assertThat(n.get("long").asLong()).isEqualTo(Long.MAX_VALUE);
    assertThat(n.get("negative").asInt()).isEqualTo(-7);
    assertThat(n.get("double").asDouble()).isEqualTo(19.5);
    assertThat(n.get("tiny").asDouble()).isEqualTo(1.0e-7);
    assertThat(n.get("huge").asDouble()).isEqualTo(1.0e300);
    assertThat(n.get("float").asDouble()).isEqualTo(0.25);
    assertThat(Json.write(m)).contains("\"bigDecimal\":12345678901234567890.123456789,");
    assertThat(n.get("bigInteger").bigIntegerValue()).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(n.get("nan").isNull()).isTrue();
    assertThat(n.get("infinity").isNull()).isTrue();
    assertThat(n.get("floatNan").isNull()).isTrue();
    assertThat(n.get("true").asBoolean()).isTrue();
    assertThat(n.get("null").isNull()).isTrue();
  }

  enum Plan { PRO }

  @Test
  void collectionsArraysTimesAndOtherObjects() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("list", List.of(1, "two", List.of(3)));
    m.put("ints", new int[] {1, 2, 3});
    m.put("strings", new String[] {"a", null});
    m.put("instant", Instant.parse("2024-05-01T10:00:03.123456789Z"));
    m.put("date", Date.from(Instant.parse("2024-05-01T10:00:00Z")));
    m.put("localDate", LocalDate.of(2024, 5, 1));
    m.put("uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
    m.put("enum", Plan.PRO);
    m.put("present", Optional.of("x"));
    m.put("absent", Optional.empty());
    m.put("char", 'c');
    m.put(null, "null key");
    JsonNode n = roundTrip(m);
    assertThat(n.get("list").toString()).isEqualTo("[1,\"two\",[3]]");
    assertThat(n.get("ints").toString()).isEqualTo("[1,2,3]");
    assertThat(n.get("strings").toString()).isEqualTo("[\"a\",null]");
    assertThat(n.get("instant").asText()).isEqualTo("2024-05-01T10:00:03.123Z");
    assertThat(n.get("date").asText()).isEqualTo("2024-05-01T10:00:00Z");
    assertThat(n.get("localDate").asText()).isEqualTo("2024-05-01");
    assertThat(n.get("uuid").asText()).isEqualTo("123e4567-e89b-12d3-a456-426614174000");
    assertThat(n.get("enum").asText()).isEqualTo("PRO");
    assertThat(n.get("present").asText()).isEqualTo("x");
    assertThat(n.get("absent").isNull()).isTrue();
    assertThat(n.get("char").asText()).isEqualTo("c");
    assertThat(n.get("null").asText()).isEqualTo("null key");
  }

  @Test
  void writesAsCompactlyAsJackson() throws Exception {
    // The server measures the 32 KB limit on Jackson's serialisation; ours must not be shorter.
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", "tab\t nl\n ctrl\u0001 quote\" é 中 \uD83D\uDE00");
    m.put("n", List.of(1, 2.5, -3));
    m.put("nested", Map.of("a", Map.of("b", true)));
    String ours = Json.write(m);
    assertThat(ours.getBytes(StandardCharsets.UTF_8)).isEqualTo(JACKSON.writeValueAsBytes(JACKSON.readTree(ours)));
  }

  @Test
  void nestingIsLimitedAndASelfReferenceIsRefusedNotAStackOverflow() {
    Object deepest = "leaf";
    for (int i = 0; i < Json.MAX_DEPTH; i++) {
      deepest = Map.of("k", deepest);
    }
    assertThat(Json.write(deepest)).startsWith("{\"k\":{");
    Object tooDeep = List.of(deepest);
    assertThatThrownBy(() -> Json.write(tooDeep)).isInstanceOf(IllegalArgumentException.class);

    List<Object> loop = new ArrayList<>();
    loop.add(loop);
    assertThatThrownBy(() -> Json.write(loop)).isInstanceOf(IllegalArgumentException.class);
  }
}
