package io.trackside.demo;

import java.time.Instant;
import java.util.List;

/** A visitor's hits of one visit, in time order. */
record Visit(Visitor visitor, Acquisition acquisition, List<Hit> hits) {

  Instant start() {
    return hits.get(0).time();
  }

  Instant end() {
    return hits.get(hits.size() - 1).time();
  }
}
