package io.trackside.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One thing a visitor does, in the shop's terms (a page view, a Segment-spec e-commerce event, a
 * login); {@link Wire} writes it in the protocol of the visitor's capture path.
 *
 * @param url      the page's full URL at the time (with the campaign query on the landing page)
 * @param referrer the page's referrer: the outside site for the landing page, else the previous page
 * @param userId   set once the visitor has logged in during the visit (or was logged in already)
 * @param data     properties of a track event, traits of an identify
 */
record Hit(Instant time, Kind kind, String event, String url, String path, String referrer, String userId,
           ObjectNode data, String messageId) {

  enum Kind { PAGE, TRACK, IDENTIFY }
}
