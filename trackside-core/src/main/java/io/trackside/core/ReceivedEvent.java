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
    return new RequestEncoder(receivedAtMillis, source, clientIp, userAgent)
        .encode(quarantineReason, quarantineDetail, json);
  }

  /**
   * Encodes the events of one request: what they share (receive time, source, address,
   * User-Agent) is written once, and each valid event costs two array copies.
   */
  public static final class RequestEncoder {
    private final byte[] head;

    public RequestEncoder(long receivedAtMillis, String source, String clientIp, String userAgent) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (userAgent == null ? 0 : userAgent.length()));
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeByte(FORMAT_V1);
        out.writeLong(receivedAtMillis);
        writeNullable(out, source);
        writeNullable(out, clientIp);
        writeNullable(out, userAgent);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // cannot happen on a byte array
      }
      head = bytes.toByteArray();
    }

    public byte[] encode(String quarantineReason, String quarantineDetail, byte[] json) {
      if (quarantineReason == null && quarantineDetail == null) {
        byte[] encoded = new byte[head.length + 2 + 4 + json.length];
        System.arraycopy(head, 0, encoded, 0, head.length);
        int at = head.length + 2; // two "absent" flags, zero
        encoded[at] = (byte) (json.length >>> 24);
        encoded[at + 1] = (byte) (json.length >>> 16);
        encoded[at + 2] = (byte) (json.length >>> 8);
        encoded[at + 3] = (byte) json.length;
        System.arraycopy(json, 0, encoded, at + 4, json.length);
        return encoded;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(head.length + json.length + 128);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.write(head);
        writeNullable(out, quarantineReason);
        writeNullable(out, quarantineDetail);
        out.writeInt(json.length);
        out.write(json);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
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
