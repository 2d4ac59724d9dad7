package io.trackside.example.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** {@code /assets/*}: the few static files, from the class path (a fixed list: no path tricks). */
final class AssetServlet extends HttpServlet {
  private static final Map<String, String> TYPES = Map.of("/shop.css", "text/css; charset=utf-8");

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String name = req.getPathInfo();
    String type = name == null ? null : TYPES.get(name);
    if (type == null) {
      resp.sendError(404);
      return;
    }
    try (InputStream in = AssetServlet.class.getResourceAsStream("assets" + name)) {
      if (in == null) {
        resp.sendError(404);
        return;
      }
      resp.setContentType(type);
      resp.setHeader("Cache-Control", "public, max-age=300");
      in.transferTo(resp.getOutputStream());
    }
  }
}
