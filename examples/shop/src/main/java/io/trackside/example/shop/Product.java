package io.trackside.example.shop;

import java.math.BigDecimal;

/** A product; prices are in {@link Catalog#CURRENCY}. */
record Product(String id, String name, String category, String description, BigDecimal price) {
}
