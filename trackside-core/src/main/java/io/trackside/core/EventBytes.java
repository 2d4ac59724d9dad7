package io.trackside.core;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A scanned JSON object written out again by copying its bytes: members are kept as they were
 * sent, a few dropped or given a new value, a few added at the end. An object nothing was done
 * to comes back as the very bytes it was read from.
 */
final class EventBytes {
  private static final byte[] DROPPED = new byte[0];

  private final EventScan scan;
  private final byte[][] replaced;
  private final List<byte[]> added = new ArrayList<>(2);
  private boolean changed;

  EventBytes(EventScan scan) {
    this.scan = scan;
    this.replaced = new byte[scan.members()][];
  }

  /** Leaves out every member of that name. */
  void drop(String name) {
    for (int i = 0; i < scan.members(); i++) {
      if (scan.name(i).equals(name)) {
        replaced[i] = DROPPED;
        changed = true;
      }
    }
  }

  /** Gives one member a new value (JSON text), keeping its name as it was written. */
  void replaceValue(int member, byte[] valueJson) {
    int keyLength = scan.valueStart(member) - scan.memberStart(member);
    byte[] bytes = Arrays.copyOfRange(scan.input, scan.memberStart(member), scan.memberStart(member) + keyLength
        + valueJson.length);
    System.arraycopy(valueJson, 0, bytes, keyLength, valueJson.length);
    replaced[member] = bytes;
    changed = true;
  }

  /** Adds a member at the end; {@code name} must need no escaping (the intake's own field names). */
  void add(String name, byte[] valueJson) {
    byte[] bytes = new byte[name.length() + 3 + valueJson.length];
    bytes[0] = '"';
    for (int i = 0; i < name.length(); i++) {
      bytes[i + 1] = (byte) name.charAt(i);
    }
    bytes[name.length() + 1] = '"';
    bytes[name.length() + 2] = ':';
    System.arraycopy(valueJson, 0, bytes, name.length() + 3, valueJson.length);
    added.add(bytes);
    changed = true;
  }

  /** Adds a member copied as it is, name and value, from {@code input}. */
  void addCopy(byte[] input, int memberStart, int memberEnd) {
    added.add(Arrays.copyOfRange(input, memberStart, memberEnd));
    changed = true;
  }

  /** Replaces every member of that name by one with a string value. */
  void setText(String name, String text) {
    drop(name);
    add(name, quote(text));
  }

  boolean changed() {
    return changed;
  }

  byte[] toBytes() {
    byte[] input = scan.input;
    if (!changed) {
      return scan.start == 0 && scan.end == input.length ? input : Arrays.copyOfRange(input, scan.start, scan.end);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(scan.end - scan.start + 64);
    out.write('{');
    boolean first = true;
    for (int i = 0; i < scan.members(); i++) {
      byte[] replacement = replaced[i];
      if (replacement == DROPPED) {
        continue;
      }
      if (!first) {
        out.write(',');
      }
      first = false;
      if (replacement == null) {
        out.write(input, scan.memberStart(i), scan.memberEnd(i) - scan.memberStart(i));
      } else {
        out.writeBytes(replacement);
      }
    }
    for (byte[] member : added) {
      if (!first) {
        out.write(',');
      }
      first = false;
      out.writeBytes(member);
    }
    out.write('}');
    return out.toByteArray();
  }

  /** A JSON string holding {@code text}. */
  static byte[] quote(String text) {
    byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
    byte[] quoted = new byte[escaped.length + 2];
    quoted[0] = '"';
    System.arraycopy(escaped, 0, quoted, 1, escaped.length);
    quoted[quoted.length - 1] = '"';
    return quoted;
  }
}
