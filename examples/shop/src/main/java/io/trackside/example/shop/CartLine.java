package io.trackside.example.shop;

import java.math.BigDecimal;

record CartLine(Product product, int quantity) {
  BigDecimal total() {
    return product.price().multiply(BigDecimal.valueOf(quantity));
  }
}
