package io.trackside.warehouse;

import java.util.List;
import java.util.Locale;

/**
 * A condition on one of an event's {@code properties}, e.g. {@code currency eq EUR}. The
 * property name and the value are always bound as parameters, never written into the SQL.
 *
 * @param property a top-level key of {@code properties} (or a JSONPath such as {@code $.a.b})
 * @param op       how to compare
 * @param value    the text to compare with; a number for {@code gt} and {@code lt}
 */
public record PropertyFilter(String property, Op op, String value) {
  static final int MAX_PROPERTY_LENGTH = 200;
  static final int MAX_VALUE_LENGTH = 1_000;

  public enum Op {
    EQ, NEQ, CONTAINS, GT, LT;

    /** The op named in a request ({@code eq}, {@code neq}, ...); throws for any other name. */
    public static Op parse(String name) {
      for (Op op : values()) {
        if (op.name().toLowerCase(Locale.ROOT).equals(name)) {
          return op;
        }
      }
      throw new IllegalArgumentException("op must be one of eq, neq, contains, gt, lt; got '" + name + "'");
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public PropertyFilter {
    if (property == null || property.isBlank() || property.length() > MAX_PROPERTY_LENGTH) {
      throw new IllegalArgumentException("a where needs a property name of 1 to " + MAX_PROPERTY_LENGTH + " characters");
    }
    if (op == null) {
      throw new IllegalArgumentException("a where needs an op: eq, neq, contains, gt or lt");
    }
    if (value == null || value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("a where needs a value of at most " + MAX_VALUE_LENGTH + " characters");
    }
    if (op == Op.GT || op == Op.LT) {
      try {
        Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("op " + op.wire() + " compares numbers; '" + value + "' is not one");
      }
    }
  }

  /** The SQL condition over the events alias {@code e}; appends its parameters in order. */
  String sql(String e, List<Object> params) {
    String extracted = "json_extract_string(" + e + ".properties, ?)";
    params.add(property);
    switch (op) {
      case EQ -> params.add(value);
      case NEQ -> params.add(value);
      case CONTAINS -> params.add(value);
      case GT, LT -> params.add(Double.parseDouble(value));
    }
    return switch (op) {
      case EQ -> extracted + " = ?";
      // A missing property is "not equal" too: "currency neq USD" keeps events without a currency.
      case NEQ -> extracted + " IS DISTINCT FROM ?";
      case CONTAINS -> "contains(" + extracted + ", ?)";
      // Non-numbers never compare: TRY_CAST gives NULL, and NULL > x is not true.
      case GT -> "TRY_CAST(" + extracted + " AS DOUBLE) > ?";
      case LT -> "TRY_CAST(" + extracted + " AS DOUBLE) < ?";
    };
  }
}
