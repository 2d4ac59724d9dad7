package io.trackside.example.shop;

import io.trackside.sdk.Trackside;
import io.trackside.sdk.servlet.PageViewFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The shop on embedded Jetty: its pages, the first-party anonymous id, and Trackside's
 * page-view filter in front of them. The caller owns the {@link Trackside} client.
 */
final class Shop {
  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);

  /**
   * @param trackside the base URL browsers load the snippet from (Trackside, or the site's
   *     reverse-proxy location for it)
   */
  Shop(String host, int port, String trackside, String writeKey, Trackside client) {
    Catalog catalog = new Catalog();
    Orders orders = new Orders();
    Layout layout = new Layout(trackside, writeKey);
    Tracking tracking = new Tracking(client);

    ServletContextHandler app = new ServletContextHandler("/", ServletContextHandler.SESSIONS);
    SessionHandler sessions = app.getSessionHandler();
    sessions.setSameSite(HttpCookie.SameSite.LAX); // a form on another site cannot fill this cart
    sessions.setHttpOnly(true);
    // Order matters: the anonymous id first, so the page-view filter sees it on a first visit.
    app.addFilter(new FilterHolder(new AnonymousIdFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    app.addFilter(new FilterHolder(PageViewFilter.builder(client).anonymousIdCookie(AnonymousIdFilter.COOKIE).build()),
        "/*", EnumSet.of(DispatcherType.REQUEST));
    app.addServlet(new ServletHolder(new ProductListServlet(catalog, layout)), "");
    app.addServlet(new ServletHolder(new ProductServlet(catalog, layout, tracking)), "/products/*");
    app.addServlet(new ServletHolder(new CartServlet(catalog, layout, tracking)), "/cart/*");
    app.addServlet(new ServletHolder(new CheckoutServlet(catalog, orders, layout, tracking)), "/checkout");
    app.addServlet(new ServletHolder(new OrderServlet(orders, layout)), "/orders/*");
    app.addServlet(new ServletHolder(new AssetServlet()), "/assets/*");

    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(app);
    server.setStopAtShutdown(false); // ShopMain stops the shop, then closes the client
  }

  Shop start() throws Exception {
    server.start();
    return this;
  }

  /** The bound port (useful when asked for port 0). */
  int port() {
    return connector.getLocalPort();
  }

  void stop() throws Exception {
    server.stop();
  }
}
