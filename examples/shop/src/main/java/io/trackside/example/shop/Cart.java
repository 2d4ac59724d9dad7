package io.trackside.example.shop;

import jakarta.servlet.http.HttpSession;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The visitor's cart, kept in their servlet session (the session cookie is all the browser
 * holds). Synchronized: two tabs of one visitor share it.
 */
final class Cart {
  static final int MAX_QUANTITY = 99;
  private static final String ATTRIBUTE = "shop.cart";

  private final Map<String, Integer> quantities = new LinkedHashMap<>();

  static Cart of(HttpSession session) {
    synchronized (session) {
      Cart cart = (Cart) session.getAttribute(ATTRIBUTE);
      if (cart == null) {
        cart = new Cart();
        session.setAttribute(ATTRIBUTE, cart);
      }
      return cart;
    }
  }

  /** Adds, capped at {@link #MAX_QUANTITY} per product; returns how many were really added. */
  synchronized int add(Product product, int quantity) {
    int before = quantities.getOrDefault(product.id(), 0);
    int after = Math.min(MAX_QUANTITY, before + quantity);
    quantities.put(product.id(), after);
    return after - before;
  }

  synchronized void remove(String productId) {
    quantities.remove(productId);
  }

  synchronized void clear() {
    quantities.clear();
  }

  synchronized List<CartLine> lines(Catalog catalog) {
    List<CartLine> lines = new ArrayList<>();
    quantities.forEach((id, n) -> catalog.find(id).ifPresent(p -> lines.add(new CartLine(p, n))));
    return lines;
  }

  static BigDecimal total(List<CartLine> lines) {
    return lines.stream().map(CartLine::total).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
  }
}
