package io.trackside.core;

/**
 * Hits as gtag.js writes them (parameter order, encoding and the parameters nobody reads
 * included), for the intake's tests and the end-to-end ones.
 */
final class GtagHits {
  static final String TID = "G-TEST123";
  static final String CID = "1234567890.1732850000";

  /** uafvl as gtag.js encodes it: each brand and version encoded, then the whole list again. */
  static final String CLIENT_HINTS = "uaa=x86&uab=64&uafvl=Google%2520Chrome%3B137.0.7151.55%7CChromium%3B137.0.7151.55"
      + "%7CNot%252FA)Brand%3B24.0.0.0&uamb=0&uam=&uap=Windows&uapv=15.0.0&uaw=0";

  private GtagHits() {
  }

  /** A page_view sent alone (GET, or a POST with an empty body): everything in the query. */
  static String pageView(String cid, String pageLoadId, int sequence) {
    return "v=2&tid=" + TID + "&gtm=45je4bk0v9181465235za200&_p=" + pageLoadId + "&gcs=G111&gcd=13t3t3t3t5l1&npa=0"
        + "&dma=0&tag_exp=101925629~102067555&cid=" + cid + "&ul=en-us&sr=1920x1080&" + CLIENT_HINTS
        + "&are=1&frm=0&pscdl=noapi&_eu=AAAAAAQ&_s=" + sequence + "&sid=1732860000&sct=3&seg=1"
        + "&dl=https%3A%2F%2Fshop.example%2Fproducts%2Fshirt%3Futm_source%3Dnewsletter%26utm_medium%3Demail"
        + "%26utm_campaign%3Dspring%26gclid%3DCj0KCQ_test"
        + "&dr=https%3A%2F%2Fwww.google.com%2F&dt=Blue%20Shirt%20%E2%80%93%20Shop&en=page_view&_fv=1&_ss=1&tfd=1234";
  }

  /** The shared part of a batched POST: no event name, the page and session state. */
  static String batchQuery(String cid, String pageLoadId, int sequence) {
    return "v=2&tid=" + TID + "&gtm=45je4bk0v9181465235za200&_p=" + pageLoadId + "&gcs=G100&gcd=13p3p3p2p5l1"
        + "&npa=1&dma=1&cid=" + cid + "&ul=de-de&sr=390x844&_s=" + sequence + "&sid=1732860000&sct=1&seg=1"
        + "&dl=https%3A%2F%2Fshop.example%2Fcart&dt=Cart&_eu=EA";
  }

  /** Three events of a shop visit, one per line, CRLF as observed from gtag.js. */
  static final String SHOP_LINES = String.join("\r\n",
      "en=view_item&_et=1200&cu=EUR&epn.value=39.98&pr1=id123~nmShirt~pr19.99~qt2",
      "en=add_to_cart&_et=300&cu=EUR&epn.value=39.98&pr1=id123~nmShirt~pr19.99~qt2",
      "en=purchase&_et=5&ep.transaction_id=T-981&cu=EUR&epn.value=44.48&epn.tax=6.2&epn.shipping=4.9"
          + "&ep.coupon=SPRING&pr1=id123~nmShirt~brAcme~caApparel~c2Shirts~vaBlue~pr19.99~qt2~cpSHIRT10~k0colour~v0sky%20blue"
          + "&pr2=id456~nmSocks%20~~%20Co~pr4.5~qt1");
}
