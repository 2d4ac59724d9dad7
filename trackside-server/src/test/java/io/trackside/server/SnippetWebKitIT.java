package io.trackside.server;

import java.nio.file.Path;
import java.util.function.Predicate;

/** The snippet in WebKit, Safari's engine: Debian's WebKitGTK MiniBrowser under WebKitWebDriver, on Xvfb. */
class SnippetWebKitIT extends SnippetInBrowser {
  @Override
  Browser browser(Path dir) throws Exception {
    return Engines.webkit();
  }

  @Override
  Predicate<String> userAgent() {
    return ua -> ua.contains("AppleWebKit/") && ua.contains("Safari/") && !ua.contains("Chrome");
  }
}
