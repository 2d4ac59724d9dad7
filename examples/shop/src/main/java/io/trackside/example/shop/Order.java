package io.trackside.example.shop;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

record Order(String id, String name, String email, List<CartLine> lines, BigDecimal total, Instant placedAt) {
  Order {
    lines = List.copyOf(lines);
  }
}
