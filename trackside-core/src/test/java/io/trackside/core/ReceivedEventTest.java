package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The log's record format V1 must stay readable: what the per-request encoder writes is pinned here. */
class ReceivedEventTest {
  private static final byte[] JSON = "{\"type\":\"track\",\"event\":\"Ünïcode\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void theRequestEncoderWritesFormatV1ForValidAndQuarantinedEvents() throws IOException {
    ReceivedEvent.RequestEncoder encoder = new ReceivedEvent.RequestEncoder(1_764_000_000_123L, "web", "203.0.113.7",
        "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0");
    assertThat(encoder.encode(null, null, JSON)).isEqualTo(v1(1_764_000_000_123L, "web", "203.0.113.7",
        "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0", null, null, JSON));
    assertThat(encoder.encode("wrong_type", "\"userId\" must be a string", JSON)).isEqualTo(v1(1_764_000_000_123L,
        "web", "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0", "wrong_type",
        "\"userId\" must be a string", JSON));
    assertThat(new ReceivedEvent.RequestEncoder(5L, "s", null, null).encode(null, null, JSON))
        .isEqualTo(v1(5L, "s", null, null, null, null, JSON));
  }

  @Test
  void whatIsEncodedDecodesToTheSameEvent() {
    ReceivedEvent event = new ReceivedEvent(42L, "web", null, "curl/8", "invalid_type", "no type", JSON);
    ReceivedEvent decoded = ReceivedEvent.decode(event.encode());
    assertThat(decoded.receivedAtMillis()).isEqualTo(42L);
    assertThat(decoded.source()).isEqualTo("web");
    assertThat(decoded.clientIp()).isNull();
    assertThat(decoded.userAgent()).isEqualTo("curl/8");
    assertThat(decoded.quarantineReason()).isEqualTo("invalid_type");
    assertThat(decoded.quarantineDetail()).isEqualTo("no type");
    assertThat(decoded.json()).isEqualTo(JSON);
  }

  /** Format V1 as documented: version, time, five nullable modified-UTF-8 strings, length-prefixed JSON. */
  private static byte[] v1(long time, String source, String ip, String userAgent, String reason, String detail,
                           byte[] json) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(1);
    out.writeLong(time);
    for (String text : new String[] {source, ip, userAgent, reason, detail}) {
      out.writeBoolean(text != null);
      if (text != null) {
        out.writeUTF(text);
      }
    }
    out.writeInt(json.length);
    out.write(json);
    return bytes.toByteArray();
  }
}
