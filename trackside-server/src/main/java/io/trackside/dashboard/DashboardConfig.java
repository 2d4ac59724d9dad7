package io.trackside.dashboard;

import java.time.Duration;

/**
 * The dashboard's sign-in settings.
 *
 * @param passwordHash      the admin password, as {@link PasswordHash} writes it
 * @param generatedPassword the password in clear when Trackside made it up at this start (to be
 *                          printed once), else null
 * @param secureCookie      mark the session cookie {@code Secure} even on plain HTTP requests, for a
 *                          site behind a TLS-terminating proxy
 * @param sessionIdle       a session unused this long is signed out
 */
public record DashboardConfig(String passwordHash, String generatedPassword, boolean secureCookie, Duration sessionIdle) {
  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofHours(12);
}
