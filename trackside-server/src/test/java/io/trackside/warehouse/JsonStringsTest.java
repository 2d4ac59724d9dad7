package io.trackside.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The stored text must be exactly what Jackson wrote before these shortcuts existed. */
class JsonStringsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> AWKWARD = Arrays.asList("plain", "", "quote \" and \\ backslash", "slash /",
      "tab\tnew line\nreturn\r", "\u0000\u0001\u001f\u007f", "\b\f", "é ü ß", "line sep \u2028 para \u2029",
      "emoji 😀", "lone surrogate \ud800", "<script>&'", null);

  @Test
  void arraysAreWrittenAsJacksonWritesThem() throws Exception {
    assertEquals(JSON.writeValueAsString(AWKWARD), JsonStrings.array(AWKWARD));
    List<String> empty = new ArrayList<>();
    assertEquals(JSON.writeValueAsString(empty), JsonStrings.array(empty));
    TreeSet<String> consent = new TreeSet<>(List.of("marketing", "analytics", "functional"));
    assertEquals(JSON.writeValueAsString(consent), JsonStrings.array(consent));
  }

  @Test
  void mapsAreWrittenAsJacksonWritesThemInInsertionOrder() throws Exception {
    Map<String, String> clickIds = new LinkedHashMap<>();
    for (int i = 0; i < AWKWARD.size(); i++) {
      String value = AWKWARD.get(i);
      clickIds.put(value == null ? "null value" : "z" + i + value, value);
    }
    clickIds.put("gclid", "Cj0KCQiA5rGuBhCnARIsAN11vgR");
    assertEquals(JSON.writeValueAsString(clickIds), JsonStrings.object(clickIds));
  }

  @Test
  void nodesAreWrittenAsToStringWritesThem() throws Exception {
    ObjectNode empty = JSON.createObjectNode();
    assertEquals(empty.toString(), JsonStrings.node(empty));
    ObjectNode full = (ObjectNode) JSON.readTree("{\"b\":1,\"a\":{\"x\":[1.5,\"\\u00e9\"]}}");
    assertEquals(full.toString(), JsonStrings.node(full));
  }
}
