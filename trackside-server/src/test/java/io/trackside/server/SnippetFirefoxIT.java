package io.trackside.server;

import java.nio.file.Path;
import java.util.function.Predicate;

/** The snippet in Debian's Firefox ESR, headless, driven over WebDriver BiDi (no geckodriver). */
class SnippetFirefoxIT extends SnippetInBrowser {
  @Override
  Browser browser(Path dir) throws Exception {
    return Engines.firefox(dir);
  }

  @Override
  Predicate<String> userAgent() {
    return ua -> ua.contains("Gecko/") && ua.contains("Firefox/");
  }
}
