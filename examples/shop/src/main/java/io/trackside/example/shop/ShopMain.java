package io.trackside.example.shop;

import io.trackside.sdk.Trackside;
import java.net.URI;
import java.util.Map;

/**
 * {@code java -jar trackside-example-shop.jar [--port 8081] [--trackside URL] [--write-key KEY]},
 * or the environment variables {@code SHOP_PORT}, {@code TRACKSIDE_URL}, {@code TRACKSIDE_WRITE_KEY};
 * an option wins over its variable.
 */
public final class ShopMain {
  private ShopMain() {
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("shop: " + e.getMessage());
      System.err.println("usage: shop [--host 127.0.0.1] [--port 8081] [--trackside http://localhost:8080] --write-key KEY");
      System.exit(2);
      return;
    }
    Trackside client = Trackside.builder(options.writeKey()).endpoint(URI.create(options.trackside())).build();
    Shop shop = new Shop(options.host(), options.port(), options.trackside(), options.writeKey(), client).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        shop.stop();
      } catch (Exception e) {
        System.err.println("shop: stopping: " + e);
      }
      client.close(); // sends what is still queued: the last orders, say
    }, "shop-shutdown"));
    System.out.printf("Trackside Shop at http://%s:%d/ — events to %s%n", options.host(), shop.port(), options.trackside());
  }

  record Options(String host, int port, String trackside, String writeKey) {
    static Options parse(String[] args, Map<String, String> env) {
      String host = env.getOrDefault("SHOP_HOST", "127.0.0.1");
      String port = env.getOrDefault("SHOP_PORT", "8081");
      String trackside = env.getOrDefault("TRACKSIDE_URL", "http://localhost:8080");
      String writeKey = env.get("TRACKSIDE_WRITE_KEY");
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--host" -> host = required(args[i], value);
          case "--port" -> port = required(args[i], value);
          case "--trackside" -> trackside = required(args[i], value);
          case "--write-key" -> writeKey = required(args[i], value);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      if (writeKey == null || writeKey.isBlank()) {
        throw new IllegalArgumentException("a write key is needed: --write-key or TRACKSIDE_WRITE_KEY");
      }
      int portNumber;
      try {
        portNumber = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--port must be a number, got " + port);
      }
      URI url = URI.create(trackside);
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        throw new IllegalArgumentException("--trackside must be an http(s) URL, got " + trackside);
      }
      return new Options(host, portNumber, trackside, writeKey);
    }

    private static String required(String option, String value) {
      if (value == null) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return value;
    }
  }
}
