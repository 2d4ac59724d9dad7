package io.trackside.destination;

import java.util.HashMap;
import java.util.Map;

/**
 * Which Meta event a Segment track event becomes: Meta's standard events for the Segment
 * e-commerce spec's names, overridden and extended by the destination's {@code eventNames}. An
 * event named in neither is not sent, because Meta's optimisation only uses standard events and
 * every custom event the operator did not ask for would just clutter Events Manager.
 */
final class MetaEventNames {

  /** Segment spec name → Meta standard event. */
  static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("Product Viewed", "ViewContent"),
      Map.entry("Product Added", "AddToCart"),
      Map.entry("Product Added to Wishlist", "AddToWishlist"),
      Map.entry("Checkout Started", "InitiateCheckout"),
      Map.entry("Payment Info Entered", "AddPaymentInfo"),
      Map.entry("Order Completed", "Purchase"),
      Map.entry("Products Searched", "Search"),
      Map.entry("Signed Up", "CompleteRegistration"),
      Map.entry("Lead", "Lead"),
      Map.entry("Form Submitted", "Lead"));

  private final Map<String, String> names;

  MetaEventNames(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(DEFAULTS);
    if (overrides != null) {
      merged.putAll(overrides);
    }
    this.names = Map.copyOf(merged);
  }

  /** The Meta event name of a track event, or null when it is not sent to Meta. */
  String of(String segmentName) {
    if (segmentName == null) {
      return null;
    }
    String name = names.get(segmentName);
    return name == null || name.isBlank() ? null : name;
  }
}
