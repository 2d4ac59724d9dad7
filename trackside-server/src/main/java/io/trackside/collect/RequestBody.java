package io.trackside.collect;

import io.trackside.core.IntakeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/** Request bodies as the collector accepts them: plain, or gzip with a cap on the inflated size. */
final class RequestBody {
  private RequestBody() {
  }

  /**
   * @param contentEncoding the Content-Encoding header, or null
   * @param maxBytes        the limit on the (inflated) body — a gzip bomb stops here
   */
  static byte[] decode(byte[] raw, String contentEncoding, int maxBytes) throws IntakeException {
    if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity")) {
      return raw;
    }
    if (!contentEncoding.trim().equalsIgnoreCase("gzip")) {
      throw new IntakeException("unsupported_encoding",
          "Content-Encoding '" + contentEncoding + "' is not supported; send the body plain or gzip-compressed");
    }
    byte[] out = new byte[Math.min(maxBytes + 1, Math.max(1024, raw.length * 4))];
    int length = 0;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 8192)) {
      while (true) {
        if (length == out.length) {
          if (out.length > maxBytes) {
            throw new IntakeException("request_too_large",
                "the gzip body inflates to more than " + maxBytes + " bytes, the limit per request");
          }
          out = Arrays.copyOf(out, Math.min(maxBytes + 1, out.length * 2));
        }
        int n = in.read(out, length, out.length - length);
        if (n < 0) {
          break;
        }
        length += n;
      }
    } catch (IOException e) {
      throw new IntakeException("invalid_gzip", "the body is not valid gzip: " + e.getMessage());
    }
    return Arrays.copyOf(out, length);
  }
}
