package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the visitor came from: {@code referrerHost}, {@code referrerSource} and {@code channel}.
 * Runs after {@link CampaignFields}: campaign tags and click ids decide first, as in GA4's
 * default channel grouping, then the referrer (see docs/pipeline/attribution.md for the rules
 * as a table).
 *
 * <p>Channels: direct, internal, organic_search, paid_search, social, paid_social, email,
 * display, affiliate, ai_assistant, referral, paid_other, other.
 */
final class ReferrerChannel implements Step {

  private static final Set<String> EMAIL_MEDIA = Set.of("email", "e-mail", "e_mail", "e mail", "newsletter", "mail");
  private static final Set<String> DISPLAY_MEDIA = Set.of("display", "banner", "expandable", "interstitial", "cpm");
  private static final Set<String> AFFILIATE_MEDIA = Set.of("affiliate", "affiliates", "partner", "partners");
  private static final Set<String> SOCIAL_MEDIA = Set.of("social", "social-network", "social-media", "sm",
      "social network", "social media", "social_media", "socialmedia", "social_network", "organic_social");
  private static final Set<String> REFERRAL_MEDIA = Set.of("referral", "app", "link");
  /** utm_source values that are e-mail senders rather than sites. */
  private static final Set<String> EMAIL_SOURCES = Set.of("email", "e-mail", "e_mail", "newsletter", "newsletters",
      "mailchimp", "klaviyo", "sendgrid", "brevo", "sendinblue", "mailjet", "campaignmonitor", "convertkit",
      "hubspot_email", "mailerlite", "activecampaign");
  /** Short or old names used in utm_source, to the source names of the referrer table. */
  private static final Map<String, String> SOURCE_ALIASES = Map.ofEntries(
      Map.entry("fb", "facebook"), Map.entry("meta", "facebook"), Map.entry("ig", "instagram"),
      Map.entry("twitter", "x"), Map.entry("tw", "x"), Map.entry("li", "linkedin"), Map.entry("yt", "youtube"),
      Map.entry("tt", "tiktok"), Map.entry("adwords", "google"), Map.entry("googleads", "google"),
      Map.entry("google_ads", "google"), Map.entry("google-ads", "google"), Map.entry("microsoft", "bing"),
      Map.entry("microsoft_ads", "bing"), Map.entry("bingads", "bing"));

  private final ReferrerTable table;

  ReferrerChannel(ReferrerTable table) {
    this.table = table;
  }

  @Override
  public String name() {
    return "referrer";
  }

  @Override
  public void apply(EnrichedEvent e) {
    String referrer = e.pageReferrer;
    String referrerHost = PageFields.hostOf(referrer);
    e.referrerHost = referrerHost;
    boolean internal = referrerHost != null && e.pageHost != null && sameSite(referrerHost, e.pageHost);
    ReferrerTable.Referrer known = null;
    if (referrerHost != null && !internal) {
      known = referrer.regionMatches(true, 0, "android-app:", 0, 12) ? table.lookupExact(referrerHost)
          : table.lookup(referrerHost);
      if (known != null && known.channel().equals("internal")) {
        internal = true; // the operator's own other domains, checkout and payment pages
        known = null;
      }
    }
    String clickId = null;
    for (String name : CampaignFields.CLICK_IDS) {
      if (e.clickIds.containsKey(name)) {
        clickId = name;
        break;
      }
    }
    String source = canonicalSource(lower(e.utmSource));
    e.channel = channel(source, lower(e.utmMedium), clickId, known, internal, referrerHost != null);
    e.referrerSource = known != null ? known.source()
        : internal ? stripWww(referrerHost)
        : clickId != null ? clickIdSource(clickId)
        : referrerHost != null ? stripWww(referrerHost)
        : source;
  }

  /** The rules, first match wins; the order follows GA4's default channel group. */
  String channel(String source, String medium, String clickId, ReferrerTable.Referrer known, boolean internal,
                 boolean hasReferrer) {
    String sourceChannel = sourceChannel(source);
    if (medium != null && !medium.equals("(none)") && !medium.equals("none")) {
      if (EMAIL_MEDIA.contains(medium)) {
        return "email";
      }
      if (AFFILIATE_MEDIA.contains(medium)) {
        return "affiliate";
      }
      if (DISPLAY_MEDIA.contains(medium)) {
        return "display";
      }
      if (isPaid(medium)) {
        return paidChannel(medium, sourceChannel, clickId, known);
      }
      if (SOCIAL_MEDIA.contains(medium)) {
        return "social";
      }
      if (medium.equals("organic")) {
        return "social".equals(sourceChannel) ? "social" : "organic_search";
      }
      if (REFERRAL_MEDIA.contains(medium)) {
        return "referral";
      }
      return "other";
    }
    if (clickId != null) {
      return clickIdChannel(clickId);
    }
    if (sourceChannel != null) {
      return sourceChannel;
    }
    if (internal) {
      return "internal";
    }
    if (known != null) {
      return known.channel();
    }
    if (hasReferrer) {
      return "referral";
    }
    return source != null ? "other" : "direct";
  }

  private static String paidChannel(String medium, String sourceChannel, String clickId, ReferrerTable.Referrer known) {
    if (medium.contains("social") || "social".equals(sourceChannel)) {
      return "paid_social";
    }
    if ("organic_search".equals(sourceChannel)) {
      return "paid_search";
    }
    if (clickId != null) {
      String byClick = clickIdChannel(clickId);
      return byClick.equals("social") ? "paid_social" : byClick;
    }
    if (known != null && known.channel().equals("social")) {
      return "paid_social";
    }
    if (known != null && known.channel().equals("organic_search")) {
      return "paid_search";
    }
    return "paid_other";
  }

  /** GA4's "paid" media: anything with "cp" in it (cpc, cpv, cpa), ppc, retargeting, paid*. */
  private static boolean isPaid(String medium) {
    return medium.contains("cp") || medium.equals("ppc") || medium.equals("retargeting") || medium.contains("paid");
  }

  /**
   * What a click id alone says. fbclid is added to every outbound link from Facebook and
   * Instagram, organic posts included, so alone it means social; the others are only on ads.
   */
  private static String clickIdChannel(String clickId) {
    return switch (clickId) {
      case "gclid", "gbraid", "wbraid", "msclkid" -> "paid_search";
      case "dclid" -> "display";
      case "fbclid" -> "social";
      default -> "paid_social"; // ttclid, li_fat_id, twclid
    };
  }

  private static String clickIdSource(String clickId) {
    return switch (clickId) {
      case "gclid", "gbraid", "wbraid", "dclid" -> "google";
      case "msclkid" -> "bing";
      case "fbclid" -> "facebook";
      case "ttclid" -> "tiktok";
      case "li_fat_id" -> "linkedin";
      default -> "x"; // twclid
    };
  }

  /** The channel a utm_source stands for (google: organic_search, newsletter: email), or null. */
  private String sourceChannel(String source) {
    if (source == null) {
      return null;
    }
    if (EMAIL_SOURCES.contains(source)) {
      return "email";
    }
    String channel = table.channelOfSource(source);
    return channel == null || channel.equals("internal") || channel.equals("referral") ? null : channel;
  }

  /** utm_source as a source name: aliases resolved (fb: facebook), a host name looked up (facebook.com: facebook). */
  private String canonicalSource(String source) {
    if (source == null) {
      return null;
    }
    String alias = SOURCE_ALIASES.get(source);
    if (alias != null) {
      return alias;
    }
    if (source.indexOf('.') > 0 && source.indexOf(' ') < 0) {
      ReferrerTable.Referrer byHost = table.lookup(source);
      if (byHost != null) {
        return byHost.source();
      }
    }
    return source;
  }

  private static boolean sameSite(String a, String b) {
    return stripWww(a).equals(stripWww(b));
  }

  static String stripWww(String host) {
    return host.startsWith("www.") ? host.substring(4) : host;
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
