package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.core.EnrichedEvent;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The visitor's consent, read from the event into a normalised set of granted purposes
 * ({@code consent}) and whether any signal was there at all ({@code consentKnown}): no signal
 * is not a refusal, and a destination decides what it does with "unknown".
 *
 * <p>Three signals, all under {@code context.consent} (and, for TCF, the places CMPs and SDKs
 * put a TC string):
 * <ul>
 *   <li>Segment's {@code categoryPreferences}: category → boolean. Common names are mapped
 *       (Analytics/performance/statistics → analytics; Advertising/marketing/targeting →
 *       advertising; Functional/preferences → functional; personalization; necessary/essential →
 *       necessary); other names are kept lower-cased.</li>
 *   <li>Google consent mode: {@code ad_storage}, {@code analytics_storage}, {@code ad_user_data},
 *       {@code ad_personalization} (and functionality/personalization/security_storage) as
 *       granted/denied; each is kept under its own name, and ad_storage also means advertising,
 *       analytics_storage analytics, functionality_storage functional, personalization_storage
 *       personalization.</li>
 *   <li>An IAB TCF v2 TC string ({@link TcString}): each purpose with consent as
 *       {@code tcf_purpose_N}, and the derived purposes in {@link #fromTcf}.</li>
 * </ul>
 * When signals disagree, a refusal wins: a purpose any signal denies is not in the set.
 */
final class ConsentSignals implements Step {

  private static final int MAX_CATEGORIES = 64;
  private static final int MAX_NAME_LENGTH = 64;

  private static final Map<String, String> CATEGORY_NAMES = Map.ofEntries(
      Map.entry("analytics", "analytics"), Map.entry("performance", "analytics"),
      Map.entry("statistics", "analytics"), Map.entry("statistic", "analytics"),
      Map.entry("measurement", "analytics"),
      Map.entry("advertising", "advertising"), Map.entry("marketing", "advertising"),
      Map.entry("targeting", "advertising"), Map.entry("ads", "advertising"),
      Map.entry("advertisement", "advertising"),
      Map.entry("functional", "functional"), Map.entry("functionality", "functional"),
      Map.entry("preferences", "functional"), Map.entry("preference", "functional"),
      Map.entry("personalization", "personalization"), Map.entry("personalisation", "personalization"),
      Map.entry("necessary", "necessary"), Map.entry("strictly_necessary", "necessary"),
      Map.entry("strictly necessary", "necessary"), Map.entry("essential", "necessary"),
      Map.entry("required", "necessary"));

  /** Google consent types, and the general purpose each also stands for ("": only itself). */
  private static final String[] GOOGLE_TYPES = {"ad_storage", "analytics_storage", "ad_user_data",
      "ad_personalization", "functionality_storage", "personalization_storage", "security_storage"};
  private static final String[] GOOGLE_IMPLIES = {"advertising", "analytics", "", "", "functional",
      "personalization", ""};

  private static final String[] TCF_PURPOSE_NAMES = new String[12];

  static {
    for (int purpose = 1; purpose <= 11; purpose++) {
      TCF_PURPOSE_NAMES[purpose] = "tcf_purpose_" + purpose;
    }
  }

  @Override
  public String name() {
    return "consent";
  }

  /** What a TC string means, by its purposes 1-11 (2,048 combinations; few occur): computed once per worker. */
  private record TcfDecision(SortedSet<String> granted, Set<String> denied) {
  }

  /** Per worker (StandardPipeline makes one step per worker's pipeline), so filled without locks. */
  private final TcfDecision[] tcfDecisions = new TcfDecision[1 << 11];

  @Override
  public void apply(EnrichedEvent e) {
    JsonNode context = e.event().context();
    JsonNode consent = context.get("consent");
    Set<String> granted = e.consent;
    Set<String> denied = null;
    boolean known = false;
    // One pass over context.consent (a handful of fields) rather than probing every name we know.
    JsonNode categories = null;
    String tcfText = null;
    int googleGranted = 0;
    int googleDenied = 0;
    if (consent != null && consent.isObject()) {
      int seen = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = consent.fields(); it.hasNext() && seen < MAX_CATEGORIES; seen++) {
        Map.Entry<String, JsonNode> field = it.next();
        String name = field.getKey();
        JsonNode value = field.getValue();
        if (name.equals("categoryPreferences")) {
          categories = value;
        } else if (isTcfField(name)) {
          if (tcfText == null && value.isTextual() && !value.textValue().isBlank()) {
            tcfText = value.textValue();
          }
        } else {
          int type = googleType(name);
          Boolean given = type < 0 ? null : decision(value);
          if (given != null) {
            googleGranted |= given ? 1 << type : 0;
            googleDenied |= given ? 0 : 1 << type;
          }
        }
      }
    }
    TcString tc = TcString.decode(tcfText != null ? tcfText : tcfTextElsewhere(context));
    if (tc != null) {
      // First, while the set is empty: adding a sorted set to an empty TreeSet is a linear build.
      known = true;
      TcfDecision decision = tcfDecision(tc);
      granted.addAll(decision.granted());
      if (!decision.denied().isEmpty()) {
        denied = new HashSet<>(decision.denied());
      }
    }
    if (categories != null && categories.isObject()) {
      int seen = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = categories.fields(); it.hasNext() && seen < MAX_CATEGORIES; seen++) {
        Map.Entry<String, JsonNode> category = it.next();
        Boolean given = decision(category.getValue());
        String purpose = given == null ? null : categoryName(category.getKey());
        if (purpose == null) {
          continue;
        }
        known = true;
        if (given) {
          granted.add(purpose);
        } else {
          denied = add(denied, purpose);
        }
      }
    }
    if ((googleGranted | googleDenied) != 0) {
      known = true;
      for (int i = 0; i < GOOGLE_TYPES.length; i++) {
        if ((googleGranted & (1 << i)) != 0) {
          granted.add(GOOGLE_TYPES[i]);
          if (!GOOGLE_IMPLIES[i].isEmpty()) {
            granted.add(GOOGLE_IMPLIES[i]);
          }
        } else if ((googleDenied & (1 << i)) != 0) {
          denied = add(denied, GOOGLE_TYPES[i]);
          if (!GOOGLE_IMPLIES[i].isEmpty()) {
            denied.add(GOOGLE_IMPLIES[i]);
          }
        }
      }
    }
    if (denied != null) {
      granted.removeAll(denied);
    }
    e.consentKnown = known;
  }

  private static int googleType(String name) {
    return switch (name) {
      case "ad_storage" -> 0;
      case "analytics_storage" -> 1;
      case "ad_user_data" -> 2;
      case "ad_personalization" -> 3;
      case "functionality_storage" -> 4;
      case "personalization_storage" -> 5;
      case "security_storage" -> 6;
      default -> -1;
    };
  }

  private static boolean isTcfField(String name) {
    return switch (name) {
      case "tcfString", "tcString", "tc_string", "tcf_string", "gdpr_consent", "euconsent", "euconsent-v2" -> true;
      default -> false;
    };
  }

  private TcfDecision tcfDecision(TcString tc) {
    int purposes = tc.purposesConsent() & ((1 << 11) - 1);
    TcfDecision decision = tcfDecisions[purposes];
    if (decision == null) {
      SortedSet<String> granted = new TreeSet<>();
      Set<String> denied = fromTcf(tc, granted, null);
      decision = new TcfDecision(Collections.unmodifiableSortedSet(granted), denied == null ? Set.of() : Set.copyOf(denied));
      tcfDecisions[purposes] = decision;
    }
    return decision;
  }

  /**
   * What a TC string grants and (being a complete statement) denies:
   * <pre>
   * tcf_purpose_N       purpose N has consent (1..11)
   * ad_storage          1 (store and/or access information on a device)
   * ad_user_data        1 and 7 (measure advertising performance)
   * ad_personalization  3 and 4 (create / use profiles for personalised advertising)
   * advertising         1, 3 and 4
   * analytics_storage   1 and (8 or 9) (measure content performance, audience statistics)
   * analytics           1 and (8 or 9)
   * personalization     5 and 6 (create / use profiles for personalised content)
   * </pre>
   */
  static Set<String> fromTcf(TcString tc, Set<String> granted, Set<String> denied) {
    for (int purpose = 1; purpose <= 11; purpose++) {
      if (tc.purposeConsent(purpose)) {
        granted.add(TCF_PURPOSE_NAMES[purpose]);
      }
    }
    boolean storage = tc.purposeConsent(1);
    boolean adProfiles = tc.purposeConsent(3) && tc.purposeConsent(4);
    boolean measurement = tc.purposeConsent(8) || tc.purposeConsent(9);
    denied = decide("ad_storage", storage, granted, denied);
    denied = decide("ad_user_data", storage && tc.purposeConsent(7), granted, denied);
    denied = decide("ad_personalization", adProfiles, granted, denied);
    denied = decide("advertising", storage && adProfiles, granted, denied);
    denied = decide("analytics_storage", storage && measurement, granted, denied);
    denied = decide("analytics", storage && measurement, granted, denied);
    denied = decide("personalization", tc.purposeConsent(5) && tc.purposeConsent(6), granted, denied);
    return denied;
  }

  private static Set<String> decide(String purpose, boolean given, Set<String> granted, Set<String> denied) {
    if (given) {
      granted.add(purpose);
      return denied;
    }
    return add(denied, purpose);
  }

  private static Set<String> add(Set<String> set, String purpose) {
    Set<String> s = set != null ? set : new HashSet<>();
    s.add(purpose);
    return s;
  }

  /** A TC string outside context.consent, where some CMPs and SDKs put it; null when none. */
  private static String tcfTextElsewhere(JsonNode context) {
    JsonNode tcf = context.get("tcf");
    if (tcf != null) {
      if (tcf.isTextual()) {
        return tcf.textValue();
      }
      String text = JsonText.text(tcf, "tcString");
      return text != null ? text : JsonText.text(tcf, "tcfString");
    }
    return JsonText.text(context, "gdpr_consent");
  }

  /** true, false, or null for anything that is not a clear yes or no. */
  static Boolean decision(JsonNode value) {
    if (value == null) {
      return null;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isNumber()) {
      int n = value.asInt(-1);
      return n == 1 ? Boolean.TRUE : n == 0 ? Boolean.FALSE : null;
    }
    if (value.isTextual()) {
      return switch (value.textValue().strip().toLowerCase(Locale.ROOT)) {
        case "granted", "true", "yes", "1", "accepted", "allow", "allowed" -> Boolean.TRUE;
        case "denied", "false", "no", "0", "rejected", "deny" -> Boolean.FALSE;
        default -> null;
      };
    }
    return null;
  }

  /** A category as a purpose name: a known synonym's purpose, else the name lower-cased; null when unusable. */
  static String categoryName(String raw) {
    String name = raw.strip().toLowerCase(Locale.ROOT);
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return null;
    }
    String mapped = CATEGORY_NAMES.get(name);
    if (mapped != null) {
      return mapped;
    }
    String underscored = name.replace(' ', '_').replace('-', '_');
    mapped = CATEGORY_NAMES.get(underscored);
    return mapped != null ? mapped : underscored;
  }
}
