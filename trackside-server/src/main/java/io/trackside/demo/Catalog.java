package io.trackside.demo;

import java.util.List;

/** The simulated shop's products, pages and what people type into its search box. */
final class Catalog {

  record Product(String id, String name, String category, double price) {
    String path() {
      return "/p/" + id.toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A search: the query, and the product it finds (null: nothing found, nobody clicks). */
  record Search(String query, Product finds) {
  }

  static final List<Product> PRODUCTS = List.of(
      new Product("SKU-TRAIL-1", "Trail Runner Shoes", "shoes", 119.00),
      new Product("SKU-CITY-2", "City Sneakers", "shoes", 89.00),
      new Product("SKU-BOOT-3", "Hiking Boots", "shoes", 159.00),
      new Product("SKU-RAIN-4", "Rain Jacket", "jackets", 139.00),
      new Product("SKU-DOWN-5", "Down Parka", "jackets", 229.00),
      new Product("SKU-FLEECE-6", "Fleece Pullover", "jackets", 69.00),
      new Product("SKU-SOCK-7", "Merino Socks (3 pairs)", "accessories", 24.50),
      new Product("SKU-BAG-8", "Daypack 20 L", "accessories", 79.00),
      new Product("SKU-CAP-9", "Sun Cap", "accessories", 19.90),
      new Product("SKU-MUG-10", "Enamel Mug", "accessories", 14.00));

  static final List<String> CATEGORIES = List.of("shoes", "jackets", "accessories");

  static final List<String> BLOG_POSTS = List.of("/blog/choosing-trail-shoes", "/blog/layering-for-winter",
      "/blog/packing-list-weekend-hike");

  static final List<Search> SEARCHES = List.of(
      new Search("trail shoes", PRODUCTS.get(0)),
      new Search("rain jacket", PRODUCTS.get(3)),
      new Search("merino socks", PRODUCTS.get(6)),
      new Search("backpack", PRODUCTS.get(7)),
      new Search("parka", PRODUCTS.get(4)),
      new Search("sneakers", PRODUCTS.get(1)),
      // Queries the shop has nothing for: the e-commerce page's "searches with no click".
      new Search("unicorn slippers", null),
      new Search("gift card", null),
      new Search("ski goggles", null));

  static final String HOST = "https://shop.example";

  private Catalog() {
  }

  static String title(String path) {
    if (path.equals("/")) {
      return "Northbound Outdoor — Home";
    }
    for (Product p : PRODUCTS) {
      if (path.equals(p.path())) {
        return p.name() + " — Northbound Outdoor";
      }
    }
    if (path.startsWith("/c/")) {
      String c = path.substring(3);
      return Character.toUpperCase(c.charAt(0)) + c.substring(1) + " — Northbound Outdoor";
    }
    if (path.startsWith("/search")) {
      return "Search — Northbound Outdoor";
    }
    return switch (path) {
      case "/cart" -> "Your cart — Northbound Outdoor";
      case "/checkout" -> "Checkout — Northbound Outdoor";
      case "/checkout/thank-you" -> "Thank you for your order — Northbound Outdoor";
      case "/account" -> "Your account — Northbound Outdoor";
      default -> path.substring(path.lastIndexOf('/') + 1).replace('-', ' ') + " — Northbound Outdoor";
    };
  }
}
