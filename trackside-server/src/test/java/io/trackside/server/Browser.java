package io.trackside.server;

/**
 * What the snippet's browser tests do with a browser, the same whatever drives it: Selenium and a
 * driver (Chromium, WebKit) or WebDriver BiDi spoken directly (Firefox, which has no driver here).
 * Clicks and typing are real input events, not script.
 */
interface Browser extends AutoCloseable {
  /** The engine and its version, as the browser reports them. */
  String version();

  /** Goes to the URL and waits for the page to load. */
  void open(String url);

  /** Runs a function body (as Selenium's executeScript): numbers come back as Long or Double, arrays as lists. */
  Object js(String functionBody);

  /** A real mouse click on the element with this id (scrolled into view first). */
  void click(String id);

  /** Clicks the element with this id and types the text with real key events. */
  void type(String id, String text);

  /** Opens a new tab on the URL; later calls act on it until {@link #closeTab()}. */
  void openTab(String url);

  /** Closes the current tab, as a visitor would, and goes back to the first one. */
  void closeTab();

  @Override
  void close();
}
