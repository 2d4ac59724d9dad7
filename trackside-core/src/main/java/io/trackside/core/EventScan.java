package io.trackside.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON object read from a streaming parser without building a tree: where each of its
 * members lies in the input bytes, and the values the intake judges an event by. The intake then
 * stores the event by copying its bytes (leaving out or replacing a few members) instead of
 * writing a parsed tree back out, which is what made the collector's per-event cost.
 *
 * <p>Duplicate member names behave as in a parsed tree: the last one counts.
 */
final class EventScan {
  /** A member's value as far as the intake needs it. */
  record Value(JsonToken token, String text, int start, int end) {
    boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }

    boolean isText() {
      return token == JsonToken.VALUE_STRING;
    }

    boolean isObject() {
      return token == JsonToken.START_OBJECT;
    }

    boolean isIntegral() {
      return token == JsonToken.VALUE_NUMBER_INT;
    }

    /** An id as text: strings as they are, integers in decimal; null for null, blank or another kind. */
    String idText() {
      if (token == JsonToken.VALUE_STRING) {
        return text.isBlank() ? null : text;
      }
      return token == JsonToken.VALUE_NUMBER_INT ? text : null;
    }

    /** The kind for an error message: "a string", "an object", … */
    String kind() {
      return switch (token) {
        case VALUE_STRING -> "a string";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case VALUE_NULL -> "a null";
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        default -> "a " + token;
      };
    }
  }

  /** What a {@code context} object tells the intake (its own, or one merged from the batch envelope). */
  record ContextFacts(String ip, String userAgent, boolean cookieless) {
    static final ContextFacts NONE = new ContextFacts(null, null, false);
  }

  /** Which members a scan reads further: the event's, its context's, the context's trackside object's. */
  private enum Level {
    EVENT, CONTEXT, TRACKSIDE, OTHER;

    /** Whether a member (by its {@link #known} number) has its scalar value read as text. */
    boolean wanted(int known) {
      return switch (this) {
        case EVENT -> known >= TYPE && known <= WRITE_KEY;
        case CONTEXT -> known == IP || known == USER_AGENT;
        default -> false;
      };
    }

    /** The level an object-valued member is scanned at, or null to skip it. */
    Level descend(int known) {
      return switch (this) {
        case EVENT -> known == EventScan.CONTEXT ? CONTEXT : null;
        case CONTEXT -> known == EventScan.TRACKSIDE ? TRACKSIDE : null;
        default -> null;
      };
    }
  }

  // The member names the intake looks up, each with a number, so that a lookup is an array read
  // rather than a walk over the members comparing names (an event is looked up ~25 times).
  static final int TYPE = 0;
  static final int USER_ID = 1;
  static final int ANONYMOUS_ID = 2;
  static final int MESSAGE_ID = 3;
  static final int GROUP_ID = 4;
  static final int PREVIOUS_ID = 5;
  static final int EVENT = 6;
  static final int NAME = 7;
  static final int CATEGORY = 8;
  static final int TIMESTAMP = 9;
  static final int ORIGINAL_TIMESTAMP = 10;
  static final int SENT_AT = 11;
  static final int WRITE_KEY = 12; // the last one whose value an event scan reads as text
  static final int CONTEXT = 13;
  static final int PROPERTIES = 14;
  static final int TRAITS = 15;
  static final int INTEGRATIONS = 16;
  static final int BATCH = 17;
  static final int IP = 18;
  static final int USER_AGENT = 19;
  static final int TRACKSIDE = 20;
  static final int COOKIELESS = 21;
  /** The names, by number. */
  static final String[] NAMES = {"type", "userId", "anonymousId", "messageId", "groupId", "previousId", "event",
      "name", "category", "timestamp", "originalTimestamp", "sentAt", "writeKey", "context", "properties", "traits",
      "integrations", "batch", "ip", "userAgent", "trackside", "cookieless"};

  /** The number of a name the intake looks up, or -1. */
  static int known(String name) {
    return switch (name) {
      case "type" -> TYPE;
      case "userId" -> USER_ID;
      case "anonymousId" -> ANONYMOUS_ID;
      case "messageId" -> MESSAGE_ID;
      case "groupId" -> GROUP_ID;
      case "previousId" -> PREVIOUS_ID;
      case "event" -> EVENT;
      case "name" -> NAME;
      case "category" -> CATEGORY;
      case "timestamp" -> TIMESTAMP;
      case "originalTimestamp" -> ORIGINAL_TIMESTAMP;
      case "sentAt" -> SENT_AT;
      case "writeKey" -> WRITE_KEY;
      case "context" -> CONTEXT;
      case "properties" -> PROPERTIES;
      case "traits" -> TRAITS;
      case "integrations" -> INTEGRATIONS;
      case "batch" -> BATCH;
      case "ip" -> IP;
      case "userAgent" -> USER_AGENT;
      case "trackside" -> TRACKSIDE;
      case "cookieless" -> COOKIELESS;
      default -> -1;
    };
  }

  final byte[] input;
  int start;
  int end;
  /** For each known name, the index of its last member plus one (0: none). */
  private final int[] lastKnown = new int[NAMES.length];
  private String[] names = new String[16];
  private int[] memberStarts = new int[16];
  private int[] valueStarts = new int[16];
  private int[] memberEnds = new int[16];
  private JsonToken[] tokens = new JsonToken[16];
  private String[] texts = new String[16];
  private EventScan[] nested = new EventScan[16];
  private int members;

  private EventScan(byte[] input) {
    this.input = input;
  }

  /**
   * Reads an event: the object whose START_OBJECT is the parser's current token, up to and
   * including its END_OBJECT. The values the intake judges are read, and the {@code context}
   * object is scanned too; all else is skipped (its bytes still checked by the parser: JSON
   * syntax, UTF-8, nesting depth).
   *
   * @param base where the parser's offset 0 lies in {@code input}
   */
  static EventScan read(JsonParser parser, byte[] input, int base) throws IOException {
    return read(parser, input, base, null, Level.EVENT);
  }

  /** As {@link #read(JsonParser, byte[], int)}, handing an array-valued {@code batch} member to {@code batch}. */
  static EventScan readRequest(JsonParser parser, byte[] input, int base, ArrayReader batch) throws IOException {
    return read(parser, input, base, batch, Level.EVENT);
  }

  /** Only locates the members of any object (for merging one into another). */
  static EventScan readMembers(JsonParser parser, byte[] input, int base) throws IOException {
    return read(parser, input, base, null, Level.OTHER);
  }

  /** Reads a member's array value (the parser at its START_ARRAY) up to and including its END_ARRAY. */
  interface ArrayReader {
    void read(JsonParser parser) throws IOException;
  }

  private static EventScan read(JsonParser parser, byte[] input, int base, ArrayReader batch, Level level)
      throws IOException {
    EventScan scan = new EventScan(input);
    scan.start = base + tokenOffset(parser);
    JsonToken token = parser.nextToken();
    int memberStart = token == JsonToken.FIELD_NAME ? nameOffset(parser, base) : -1;
    while (token == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      int known = known(name);
      JsonToken valueToken = parser.nextToken();
      int valueStart = base + tokenOffset(parser);
      String text = null;
      EventScan inner = null;
      Level innerLevel;
      if (valueToken == JsonToken.START_OBJECT && (innerLevel = level.descend(known)) != null) {
        inner = read(parser, input, base, null, innerLevel);
      } else if (valueToken == JsonToken.START_ARRAY && batch != null && known == BATCH) {
        batch.read(parser);
      } else if (valueToken.isStructStart()) {
        parser.skipChildren();
      } else if (valueToken.isScalarValue() && level.wanted(known)) {
        text = parser.getText();
      }
      token = parser.nextToken();
      // the value ends before the next member's name (or the closing brace), its comma and whitespace
      int next = token == JsonToken.FIELD_NAME ? nameOffset(parser, base) : base + tokenOffset(parser);
      scan.add(name, known, memberStart, valueStart, trimBack(input, next, valueStart), valueToken, text, inner);
      memberStart = next;
    }
    if (token != JsonToken.END_OBJECT) {
      throw new IllegalStateException("object scan ended at " + token);
    }
    scan.end = base + tokenOffset(parser) + 1;
    return scan;
  }

  /**
   * Where the current value or closing token starts, relative to the parser's input offset,
   * without a location object per call. Not for FIELD_NAME tokens: a parser keeps their start
   * apart.
   */
  static int tokenOffset(JsonParser parser) {
    // ParserBase counts the token's start from 1 (its own currentTokenLocation() subtracts the 1)
    return parser instanceof ParserBase base ? (int) base.getTokenCharacterOffset() - 1
        : (int) parser.currentTokenLocation().getByteOffset();
  }

  /** Where the current FIELD_NAME token (its opening quote) starts in {@code input}. */
  private static int nameOffset(JsonParser parser, int base) {
    return base + (int) parser.currentTokenLocation().getByteOffset();
  }

  /** The scan of the last member of that name when it is an object that was scanned, else null. */
  EventScan nested(int known) {
    int i = last(known);
    return i < 0 ? null : nested[i];
  }

  EventScan nestedAt(int member) {
    return nested[member];
  }

  /** What this event's own {@code context} says (nothing when it is not an object). */
  ContextFacts contextFacts() {
    EventScan context = nested(CONTEXT);
    return context == null ? ContextFacts.NONE : facts(context);
  }

  /** What a scanned context object says. */
  static ContextFacts facts(EventScan context) {
    return new ContextFacts(context.idText(IP), context.idText(USER_AGENT), cookieless(context));
  }

  /**
   * What a context says once {@code defaults} (a batch envelope's context) has filled in what
   * {@code own} lacks, recursively — without writing the merged object out.
   */
  static ContextFacts mergedFacts(EventScan own, EventScan defaults) {
    String ip = own.has(IP) ? own.idText(IP) : defaults.idText(IP);
    String userAgent = own.has(USER_AGENT) ? own.idText(USER_AGENT) : defaults.idText(USER_AGENT);
    boolean cookieless;
    int o = own.last(TRACKSIDE);
    int d = defaults.last(TRACKSIDE);
    if (o < 0) {
      cookieless = cookieless(defaults);
    } else if (own.nestedAt(o) != null && d >= 0 && defaults.nestedAt(d) != null
        && !own.nestedAt(o).has(COOKIELESS)) {
      cookieless = flag(defaults.nestedAt(d));
    } else {
      cookieless = cookieless(own);
    }
    return new ContextFacts(ip, userAgent, cookieless);
  }

  private static boolean cookieless(EventScan context) {
    EventScan trackside = context.nested(TRACKSIDE);
    return trackside != null && flag(trackside);
  }

  private static boolean flag(EventScan trackside) {
    Value cookieless = trackside.get(COOKIELESS);
    return cookieless != null && cookieless.token() == JsonToken.VALUE_TRUE;
  }

  private String idText(int known) {
    Value value = get(known);
    return value == null ? null : value.idText();
  }

  /** The end of a value: back from the next token over whitespace and the comma between members. */
  static int trimBack(byte[] input, int next, int floor) {
    int i = next;
    while (i > floor && isSpace(input[i - 1])) {
      i--;
    }
    if (i > floor && input[i - 1] == ',') {
      i--;
      while (i > floor && isSpace(input[i - 1])) {
        i--;
      }
    }
    return i;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private void add(String name, int known, int memberStart, int valueStart, int memberEnd, JsonToken token,
                   String text, EventScan inner) {
    if (members == names.length) {
      int size = members * 2;
      names = Arrays.copyOf(names, size);
      memberStarts = Arrays.copyOf(memberStarts, size);
      valueStarts = Arrays.copyOf(valueStarts, size);
      memberEnds = Arrays.copyOf(memberEnds, size);
      tokens = Arrays.copyOf(tokens, size);
      texts = Arrays.copyOf(texts, size);
      nested = Arrays.copyOf(nested, size);
    }
    if (known >= 0) {
      lastKnown[known] = members + 1;
    }
    names[members] = name;
    memberStarts[members] = memberStart;
    valueStarts[members] = valueStart;
    memberEnds[members] = memberEnd;
    tokens[members] = token;
    texts[members] = text;
    nested[members] = inner;
    members++;
  }

  int members() {
    return members;
  }

  String name(int member) {
    return names[member];
  }

  int memberStart(int member) {
    return memberStarts[member];
  }

  int valueStart(int member) {
    return valueStarts[member];
  }

  int memberEnd(int member) {
    return memberEnds[member];
  }

  Value value(int member) {
    return new Value(tokens[member], texts[member], valueStarts[member], memberEnds[member]);
  }

  /** The index of the last member of that name (the one a tree keeps), or -1. */
  int last(String name) {
    int known = known(name);
    if (known >= 0) {
      return lastKnown[known] - 1;
    }
    for (int i = members - 1; i >= 0; i--) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the last member with that {@link #known} name, or -1. */
  int last(int known) {
    return lastKnown[known] - 1;
  }

  /** The last member with that {@link #known} name, or null. */
  Value get(int known) {
    int i = lastKnown[known] - 1;
    return i < 0 ? null : value(i);
  }

  boolean has(int known) {
    return lastKnown[known] > 0;
  }

  /** How many members have that name (a client may send one twice). */
  int count(String name) {
    if (last(name) < 0) {
      return 0;
    }
    int n = 0;
    for (int i = 0; i < members; i++) {
      if (names[i].equals(name)) {
        n++;
      }
    }
    return n;
  }

  /** The raw JSON text of a value, shortened for an error message. */
  String shortText(Value value) {
    int length = Math.min(value.end() - value.start(), 160);
    String text = new String(input, value.start(), length, StandardCharsets.UTF_8);
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }
}
