package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.UserDataHashing;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds e-mail addresses and phone numbers in {@code traits}, {@code properties} and
 * {@code context.traits} (top-level fields, fields of objects one level down, and the elements
 * of arrays at either level) and keeps, hashes or drops them as the {@link PiiPolicy} says. The
 * event's JSON is changed in place, so what is stored is what the policy allows.
 *
 * <p>Detection: a value that is one e-mail address ({@link Emails#isEmail}); a phone number —
 * 7 to 15 digits with only the usual separators — in a field whose name says phone (phone,
 * mobile, tel, fax, whatsapp), or anywhere if written internationally with a leading "+" and at
 * least 8 digits (so order numbers and prices are not taken for phones). Free text that holds an
 * e-mail address among other words has the address replaced by {@value Emails#REDACTED} (with
 * hash) or the field removed (with drop): a hash of a sentence would help no one.
 *
 * <p>Hashes use {@link UserDataHashing} (e-mail trimmed + lower-case, phone as digits with the
 * country code; SHA-256 hex), the normalisation Meta requires; an existing 64-hex value is left
 * alone, so running the step twice changes nothing.
 */
final class PiiScrub implements Step {

  private enum Kind { NONE, EMAIL, PHONE, TEXT_WITH_EMAIL }

  private final PiiPolicy.Action defaultAction;
  private final Map<String, PiiPolicy.Action> fields;
  private final Set<String> configuredNames;

  PiiScrub(PiiPolicy policy) {
    this.defaultAction = policy.defaultAction();
    this.fields = policy.fields();
    this.configuredNames = policy.configuredNames();
  }

  @Override
  public String name() {
    return "pii";
  }

  @Override
  public void apply(EnrichedEvent e) {
    Event event = e.event();
    scan(event.traits(), "traits", true);
    scan(event.properties(), "properties", true);
    JsonNode contextTraits = event.context().get("traits");
    if (contextTraits instanceof ObjectNode object) {
      scan(object, "context.traits", true);
    }
  }

  /** @param parentPath the dotted path of {@code node} ("traits", "properties.customer") */
  private void scan(ObjectNode node, String parentPath, boolean descend) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      PiiPolicy.Action explicit = configuredNames.contains(name) ? explicitAction(parentPath, name) : null;
      if (value.isObject()) {
        if (explicit == PiiPolicy.Action.DROP) {
          it.remove();
        } else if (descend && explicit != PiiPolicy.Action.KEEP) {
          scan((ObjectNode) value, parentPath + "." + name, false);
        }
      } else if (value.isArray()) {
        if (explicit == PiiPolicy.Action.DROP) {
          it.remove();
        } else if (explicit != PiiPolicy.Action.KEEP) {
          scanArray((ArrayNode) value, name, explicit);
        }
      } else {
        JsonNode replacement = decide(name, value, explicit);
        if (replacement == null) {
          it.remove();
        } else if (replacement != value) {
          field.setValue(replacement);
        }
      }
    }
  }

  private void scanArray(ArrayNode array, String name, PiiPolicy.Action explicit) {
    for (int i = array.size() - 1; i >= 0; i--) {
      JsonNode element = array.get(i);
      if (!element.isValueNode()) {
        continue; // objects inside arrays are deeper than the step looks
      }
      JsonNode replacement = decide(name, element, explicit);
      if (replacement == null) {
        array.remove(i);
      } else if (replacement != element) {
        array.set(i, replacement);
      }
    }
  }

  /** The value to store: the same node (untouched), a new one, or null to remove the field. */
  private JsonNode decide(String name, JsonNode value, PiiPolicy.Action explicit) {
    if (explicit == PiiPolicy.Action.DROP) {
      return null;
    }
    if (explicit == PiiPolicy.Action.KEEP || value.isNull() || value.isBoolean()) {
      return value;
    }
    String text = value.isTextual() ? value.textValue()
        : value.isIntegralNumber() && (explicit != null || (value.asLong() >= 1_000_000 && phoneField(name)))
        ? value.asText() : null;
    if (text == null) {
      return value;
    }
    Kind kind = kind(name, text);
    PiiPolicy.Action action = explicit != null ? explicit : kind == Kind.NONE ? PiiPolicy.Action.KEEP : defaultAction;
    return switch (action) {
      case KEEP -> value;
      case DROP -> null;
      case HASH -> switch (kind) {
        case EMAIL -> TextNode.valueOf(UserDataHashing.hashEmail(text));
        case PHONE -> TextNode.valueOf(UserDataHashing.hashPhone(text));
        case TEXT_WITH_EMAIL -> explicit != null ? TextNode.valueOf(UserDataHashing.hashText(text))
            : TextNode.valueOf(Emails.redact(text));
        case NONE -> text.isBlank() ? value : TextNode.valueOf(UserDataHashing.hashText(text));
      };
    };
  }

  private static Kind kind(String name, String text) {
    if (text.isEmpty() || UserDataHashing.isSha256Hex(text)) {
      return Kind.NONE;
    }
    if (text.indexOf('@') >= 0) {
      long found = Emails.find(text, 0);
      return found < 0 ? Kind.NONE : Emails.isWhole(text, found) ? Kind.EMAIL : Kind.TEXT_WITH_EMAIL;
    }
    String t = Character.isWhitespace(text.charAt(0)) ? text.strip() : text;
    if (t.isEmpty()) {
      return Kind.NONE;
    }
    char first = t.charAt(0);
    boolean plus = first == '+';
    if ((plus || first == '(' || (first >= '0' && first <= '9')) && isPhone(t, plus || phoneField(name))) {
      return Kind.PHONE;
    }
    return Kind.NONE;
  }

  /**
   * 7 to 15 digits (E.164's maximum) with only spaces, dashes, dots, slashes and brackets
   * between them; without a telling field name it must start with "+" and have 8 digits or more.
   */
  static boolean isPhone(String text, boolean phoneFieldOrPlus) {
    String t = text.strip();
    if (!phoneFieldOrPlus || t.length() < 7 || t.length() > 32) {
      return false;
    }
    boolean plus = t.charAt(0) == '+';
    int digits = 0;
    for (int i = plus ? 1 : 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
        return false;
      }
    }
    return digits >= (plus ? 8 : 7) && digits <= 15;
  }

  /** Whether the field's name says it holds a phone number. */
  static boolean phoneField(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("phone") || n.contains("mobile") || n.contains("whatsapp") || n.equals("tel")
        || n.equals("telephone") || n.equals("fax") || n.equals("cell") || n.startsWith("tel_") || n.endsWith("_tel");
  }

  /** The operator's action for this field: by full path first, then by bare name. */
  private PiiPolicy.Action explicitAction(String parentPath, String name) {
    PiiPolicy.Action byPath = fields.get(parentPath + "." + name);
    return byPath != null ? byPath : fields.get(name);
  }
}
