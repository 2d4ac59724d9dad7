package io.trackside.example.shop;

import jakarta.servlet.http.HttpSession;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Placed orders, in memory. An order page shows a name and an e-mail address, so it is shown
 * only to the session that placed it; the random id alone is not meant to be the lock.
 */
final class Orders {
  private static final String PLACED_IN_SESSION = "shop.orders";
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Order> orders = new ConcurrentHashMap<>();

  Order place(HttpSession session, String name, String email, List<CartLine> lines) {
    byte[] bytes = new byte[6];
    random.nextBytes(bytes);
    Order order = new Order("o-" + HexFormat.of().formatHex(bytes), name, email, lines, Cart.total(lines), Instant.now());
    orders.put(order.id(), order);
    placedIn(session).add(order.id());
    return order;
  }

  Optional<Order> find(HttpSession session, String id) {
    return session != null && placedIn(session).contains(id) ? Optional.ofNullable(orders.get(id)) : Optional.empty();
  }

  @SuppressWarnings("unchecked")
  private static Set<String> placedIn(HttpSession session) {
    synchronized (session) {
      Set<String> ids = (Set<String>) session.getAttribute(PLACED_IN_SESSION);
      if (ids == null) {
        ids = ConcurrentHashMap.newKeySet();
        session.setAttribute(PLACED_IN_SESSION, ids);
      }
      return ids;
    }
  }
}
