package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The snippet in Debian's headless Chromium (chromedriver, through Selenium); and its caching and size. */
class SnippetBrowserIT extends SnippetInBrowser {
  @Override
  Browser browser(Path dir) {
    return Engines.chromium();
  }

  @Override
  Predicate<String> userAgent() {
    return ua -> ua.contains("Chrome/");
  }

  @Test
  void theSnippetIsCacheableAndWithinItsBudget() throws Exception {
    var snippet = new io.trackside.collect.Snippet(trackside.config.snippetPath());
    var response = trackside.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(trackside.url(snippet.url())))
        .header("Accept-Encoding", "gzip").build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control").orElse("")).contains("immutable");
    assertThat(response.headers().firstValue("Content-Encoding").orElse("")).isEqualTo("gzip");
    String etag = response.headers().firstValue("ETag").orElseThrow();
    var again = trackside.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        trackside.url(trackside.config.snippetPath() + ".js"))).header("If-None-Match", etag).build());
    assertThat(again.statusCode()).isEqualTo(304);
  }
}
