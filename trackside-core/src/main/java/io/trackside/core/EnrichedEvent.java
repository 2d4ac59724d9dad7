package io.trackside.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An {@link Event} on its way through the pipeline, with what each step has derived so far.
 * Every field here becomes a typed warehouse column.
 *
 * <p>Deliberately a mutable holder with plain fields rather than a record rebuilt by every step:
 * the pipeline runs ~15 steps per event at tens of thousands of events per second on one
 * thread, each step writes only its own fields, and steps run in a fixed order on one thread,
 * so there is nothing to protect. The event's JSON objects (properties, traits, context) may be
 * changed in place by privacy steps; they are decoded afresh for every pass over the log.
 *
 * <p>A step that decides the event must not be stored calls {@link #quarantine} (kept with
 * its reason, replayable) or {@link #drop} (not stored at all, only counted: suppressed
 * people, bots when the operator drops them); the pipeline then stops.
 */
public final class EnrichedEvent {

  private final Event event;

  // Page, from context.page (or a page call's properties), normalised and scrubbed.
  public String pageUrl;
  public String pageHost;
  public String pagePath;
  public String pageReferrer;
  public String pageTitle;
  public String pageSearch;

  // Where the visitor came from.
  public String referrerHost;
  /** direct, internal, organic_search, paid_search, social, paid_social, email, display, affiliate, ai_assistant, referral, paid_other, other. */
  public String channel;
  /**
   * A well-known name such as google, facebook, gmail for a known referrer; else the platform of
   * a click id; else the referrer's host without "www."; else the utm_source (e.g. newsletter).
   */
  public String referrerSource;
  public String utmSource;
  public String utmMedium;
  public String utmCampaign;
  public String utmTerm;
  public String utmContent;
  /** Advertising click ids found on the landing URL (gclid, fbclid, ...), name → value. */
  public final Map<String, String> clickIds = new LinkedHashMap<>();

  // Device.
  public String userAgent;
  public String browser;
  public String browserVersion;
  public String os;
  public String osVersion;
  /** desktop, phone, tablet, tv, console, robot, unknown, ... */
  public String deviceClass;
  public boolean bot;
  /** Why it was flagged as a bot (user_agent, hosting_network, headless, behaviour), or null. */
  public String botReason;

  // Place, looked up before the IP is truncated.
  public String country;
  public String region;
  public String city;

  // Privacy.
  /** The IP as stored: truncated unless the operator keeps raw addresses. */
  public String ip;
  /** The visitor: anonymousId, else userId, else the cookieless daily id. */
  public String visitorId;
  /** Purposes the visitor granted (analytics, advertising, ad_user_data, ...); empty when unknown. */
  public final Set<String> consent = new TreeSet<>();
  /** Whether any consent signal was present at all (no signal is not the same as a refusal). */
  public boolean consentKnown;

  // Sessions.
  public String sessionId;
  public int sessionNumber;

  /** Tracking-plan violations, when the plan's mode lets the event through flagged. */
  public final List<String> planViolations = new ArrayList<>();

  private String quarantineReason;
  private String quarantineDetail;
  private String dropReason;

  public EnrichedEvent(Event event) {
    this.event = event;
  }

  public Event event() {
    return event;
  }

  /** The client's address as received (context.ip wins over the connection's), for steps that run before truncation. */
  public String rawIp() {
    String contextIp = event.context().path("ip").asText("");
    return contextIp.isEmpty() ? event.clientIp() : contextIp;
  }

  /** Keep the event out of the events table, in the quarantine with this reason. */
  public void quarantine(String reason, String detail) {
    this.quarantineReason = reason;
    this.quarantineDetail = detail;
  }

  /** Store nothing of this event; it is only counted under this reason. */
  public void drop(String reason) {
    this.dropReason = reason;
  }

  /** True once a step has quarantined or dropped the event: later steps do not run. */
  public boolean decided() {
    return quarantineReason != null || dropReason != null;
  }

  public String quarantineReason() {
    return quarantineReason;
  }

  public String quarantineDetail() {
    return quarantineDetail;
  }

  public String dropReason() {
    return dropReason;
  }
}
