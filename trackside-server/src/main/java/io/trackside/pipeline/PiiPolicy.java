package io.trackside.pipeline;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the PII step does with personal data in traits and properties (the {@code privacy.pii}
 * section of the config).
 *
 * @param defaultAction what happens to an e-mail address or phone number found in a field the
 *                      operator did not list: {@code hash} unless configured otherwise
 * @param fields        per field, by path ({@code traits.email}, {@code properties.customer.phone},
 *                      {@code context.traits.email}) or by bare name ({@code email}, any root):
 *                      applied to every value of that field, detected as PII or not
 */
public record PiiPolicy(Action defaultAction, Map<String, Action> fields) {

  /** The roots the step looks into; a configured path must start with one of them. */
  static final Set<String> ROOTS = Set.of("traits", "properties", "context.traits");

  public enum Action {
    /** Store the value as sent. */
    KEEP,
    /** Replace it by the SHA-256 of its normalised form (e-mail, phone, or trimmed lower-case text). */
    HASH,
    /** Remove the field. */
    DROP;

    /** @throws IllegalArgumentException for anything but keep, hash or drop */
    public static Action parse(String text) {
      return Action.valueOf(text.strip().toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public PiiPolicy {
    Map<String, Action> checked = new java.util.HashMap<>();
    fields.forEach((path, action) -> {
      String key = path.strip();
      if (!validKey(key)) {
        throw new IllegalArgumentException("privacy.pii.fields: '" + path + "' is neither a field name (email) nor a"
            + " path under traits, properties or context.traits with at most two names after it"
            + " (traits.email, properties.customer.phone)");
      }
      checked.put(key, action);
    });
    fields = Map.copyOf(checked);
  }

  public static PiiPolicy defaults() {
    return new PiiPolicy(Action.HASH, Map.of());
  }

  /** The last name of every configured key: only fields with such a name need a path built and looked up. */
  Set<String> configuredNames() {
    Set<String> names = new HashSet<>();
    for (String key : fields.keySet()) {
      names.add(key.substring(key.lastIndexOf('.') + 1));
    }
    return Set.copyOf(names);
  }

  private static boolean validKey(String key) {
    if (key.isEmpty() || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
      return false;
    }
    if (key.indexOf('.') < 0) {
      return true; // a bare field name
    }
    for (String root : ROOTS) {
      if (key.startsWith(root + ".")) {
        String rest = key.substring(root.length() + 1);
        return rest.chars().filter(c -> c == '.').count() <= 1;
      }
    }
    return false;
  }
}
