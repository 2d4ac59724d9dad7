package io.trackside.pipeline;

/**
 * What a user agent says about the device, as stored: names as people know them ("Chrome",
 * "Windows", "macOS"), versions cut to major.minor, the device class in lower case, and why it
 * counts as a bot (null when it does not). Any field may be null when the user agent does not tell.
 *
 * @param botReason {@code user_agent} (a crawler, monitor, HTTP library or attack string) or
 *                  {@code headless} (a headless or automated browser), else null
 */
record Device(String browser, String browserVersion, String os, String osVersion, String deviceClass,
              String botReason) {

  /** Nothing known: no user agent, or one that could not be analysed. */
  static final Device UNKNOWN = new Device(null, null, null, null, null, null);
}
