package io.trackside.example.shop;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The shop's products, in memory: an example needs no database. */
final class Catalog {
  static final String CURRENCY = "EUR";

  private final List<Product> products = List.of(
      new Product("p-espresso", "Espresso Cup", "Kitchen", "A thick-walled porcelain cup, 80 ml.", eur("12.50")),
      new Product("p-grinder", "Hand Grinder", "Kitchen", "Conical steel burrs, 40 g hopper.", eur("64.00")),
      new Product("p-beans", "Beans \"Sidamo\" 250 g", "Coffee", "Washed Ethiopian, roasted for filter.", eur("9.90")),
      new Product("p-kettle", "Gooseneck Kettle", "Kitchen", "0.9 l, for a steady pour <slow & even>.", eur("39.00")),
      new Product("p-filters", "Paper Filters (100)", "Coffee", "Unbleached, size 02.", eur("4.20")));

  List<Product> all() {
    return products;
  }

  Optional<Product> find(String id) {
    return products.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  static BigDecimal eur(String amount) {
    return new BigDecimal(amount).setScale(2, RoundingMode.UNNECESSARY);
  }

  static String format(BigDecimal amount) {
    return String.format(Locale.ROOT, "%.2f €", amount);
  }
}
