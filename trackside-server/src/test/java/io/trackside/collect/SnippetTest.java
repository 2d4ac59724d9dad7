package io.trackside.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The snippet's budget is part of the build: over 1.5 KB gzipped and the build fails. */
class SnippetTest {

  @Test
  void theServedSnippetIsAtMostOneAndAHalfKilobytesGzipped() {
    Snippet snippet = new Snippet("/static/site");
    assertTrue(snippet.gzippedSize() <= Snippet.MAX_GZIPPED_BYTES,
        "the snippet is " + snippet.gzippedSize() + " bytes gzipped; the budget is " + Snippet.MAX_GZIPPED_BYTES);
  }

  @Test
  void theDocsStateTheSizeAsItIs() throws Exception {
    // Tests run in trackside-server/; the docs are the repository's.
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "SNIPPET.md"));
    String size = String.format(java.util.Locale.ROOT, "%,d", new Snippet("/static/site").gzippedSize());
    assertTrue(doc.contains("**" + size + " bytes gzipped**"), "docs/SNIPPET.md should say the snippet is " + size
        + " bytes gzipped");
  }

  @Test
  void minifyingKeepsStringsAndDropsComments() {
    String served = new String(new Snippet("/s").script(), StandardCharsets.UTF_8);
    assertFalse(served.contains("//"), "comment lines are dropped");
    assertTrue(served.contains("'Outbound Link Clicked'"), served);
    assertTrue(served.contains("'File Downloaded'"), served);
    assertTrue(served.contains("/\\.(pdf|zip|"), "regular expressions untouched");
    assertEquals("a=b+c;\nif(x){y();}", Snippet.minified("// note\n  a = b + c;\n  if (x) { y(); }\n"));
  }

  @Test
  void theUrlCarriesTheContentHash() {
    Snippet snippet = new Snippet("/assets/app");
    assertTrue(snippet.url().matches("/assets/app\\.js\\?v=[0-9a-f]{12}"), snippet.url());
    assertEquals("/assets/app/c", snippet.collectPath());
    assertThrows(IllegalArgumentException.class, () -> new Snippet("assets/"));
  }
}
