package io.trackside.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One event as the collector received it: the event's JSON exactly as it will be re-processed
 * (batch envelope already merged in, a messageId assigned if it had none) plus the request
 * metadata that later pipeline steps need. This is what the event log stores (promise 4: raw
 * is kept, the rest is derived), so its binary form must stay readable by later versions:
 * the first byte is a format version.
 *
 * @param receivedAtMillis server clock when the request arrived (UTC epoch millis)
 * @param source           name of the source whose write key authenticated the request
 * @param clientIp         the client address as seen by the collector (may be null)
 * @param userAgent        the request's User-Agent header (may be null)
 * @param quarantineReason null for a valid event; otherwise why it was quarantined
 * @param quarantineDetail a human-readable explanation for the quarantine reason (may be null)
 * @param json             the event's JSON bytes (UTF-8)
 */
public record ReceivedEvent(long receivedAtMillis, String source, String clientIp, String userAgent,
                            String quarantineReason, String quarantineDetail, byte[] json) {

  private static final byte FORMAT_V1 = 1;

  public boolean quarantined() {
    return quarantineReason != null;
  }

  public byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length + 128);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT_V1);
      out.writeLong(receivedAtMillis);
      writeNullable(out, source);
      writeNullable(out, clientIp);
      writeNullable(out, userAgent);
      writeNullable(out, quarantineReason);
      writeNullable(out, quarantineDetail);
      out.writeInt(json.length);
      out.write(json);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen on a byte array
    }
  }

  /** @throws IllegalArgumentException when the bytes are not a ReceivedEvent this version can read */
  public static ReceivedEvent decode(byte[] encoded) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
      byte version = in.readByte();
      if (version != FORMAT_V1) {
        throw new IllegalArgumentException("unknown ReceivedEvent format version " + version);
      }
      long receivedAt = in.readLong();
      String source = readNullable(in);
      String ip = readNullable(in);
      String ua = readNullable(in);
      String reason = readNullable(in);
      String detail = readNullable(in);
      int length = in.readInt();
      if (length < 0 || length > encoded.length) {
        throw new IllegalArgumentException("corrupt ReceivedEvent: json length " + length);
      }
      byte[] json = in.readNBytes(length);
      if (json.length != length) {
        throw new IllegalArgumentException("corrupt ReceivedEvent: truncated json");
      }
      return new ReceivedEvent(receivedAt, source, ip, ua, reason, detail, json);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt ReceivedEvent: " + e.getMessage(), e);
    }
  }

  private static void writeNullable(DataOutputStream out, String value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      out.writeUTF(value.length() > 8000 ? value.substring(0, 8000) : value);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
