package io.trackside.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Firefox driven over WebDriver BiDi, which Firefox speaks itself since version 128: no
 * geckodriver (Selenium's FirefoxDriver needs one, and this machine has none). Starts
 * {@code firefox --headless --remote-debugging-port=0} on a fresh profile, reads the WebSocket
 * address it prints, and sends BiDi commands as JSON over the JDK's WebSocket client.
 */
final class FirefoxBidi implements Browser {
  private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");

  private final Process firefox;
  private final Deque<String> output = new ArrayDeque<>();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final WebSocket socket;
  private final String version;
  private final String home;
  private String context;

  FirefoxBidi(File binary, Path profile) throws Exception {
    // The remote agent sets the prefs automation needs; these only keep a fresh profile quiet.
    Files.writeString(profile.resolve("user.js"), """
        user_pref("remote.active-protocols", 1);
        user_pref("browser.shell.checkDefaultBrowser", false);
        user_pref("datareporting.policy.dataSubmissionEnabled", false);
        user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
        user_pref("app.update.disabledForTesting", true);
        user_pref("browser.download.dir", "%s");
        user_pref("browser.download.folderList", 2);
        """.formatted(profile.resolve("downloads")));
    firefox = new ProcessBuilder(binary.getPath(), "--headless", "--no-remote", "--remote-debugging-port=0",
        "--profile", profile.toString(), "about:blank").redirectErrorStream(true).start();
    CompletableFuture<String> address = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(firefox.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          synchronized (output) {
            output.addLast(line);
            if (output.size() > 40) {
              output.removeFirst();
            }
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            address.complete(m.group(1));
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      address.completeExceptionally(new IllegalStateException("firefox ended without a BiDi address: " + output()));
    }, "firefox-output");
    reader.setDaemon(true);
    reader.start();
    try {
      String ws = address.get(60, TimeUnit.SECONDS);
      socket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create(ws + "/session"), new Listener()).get(20, TimeUnit.SECONDS);
      JsonNode session = send("session.new", TestNode.JSON.createObjectNode().set("capabilities", TestNode.JSON.createObjectNode()));
      version = session.path("capabilities").path("browserName").asText() + " "
          + session.path("capabilities").path("browserVersion").asText();
      home = send("browsingContext.getTree", TestNode.JSON.createObjectNode()).path("contexts").get(0).path("context").asText();
      context = home;
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** Sends one command and waits for its answer: the result, or an AssertionError with BiDi's error. */
  JsonNode send(String method, ObjectNode params) {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode command = TestNode.JSON.createObjectNode().put("id", id).put("method", method);
    command.set("params", params);
    try {
      socket.sendText(command.toString(), true).get(20, TimeUnit.SECONDS);
      JsonNode message = answer.get(60, TimeUnit.SECONDS);
      if (!"success".equals(message.path("type").asText())) {
        throw new AssertionError(method + " failed: " + message.path("error").asText() + ": " + message.path("message").asText());
      }
      return message.path("result");
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(method + " got no answer: " + e + "\nfirefox said:\n" + output(), e);
    } finally {
      pending.remove(id);
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = TestNode.JSON.readTree(text.toString());
          CompletableFuture<JsonNode> answer = message.has("id") && !message.path("id").isNull()
              ? pending.get(message.path("id").asLong()) : null;
          if (answer != null) {
            answer.complete(message);
          }
        } catch (IOException e) {
          throw new IllegalStateException("not JSON from firefox: " + text, e);
        } finally {
          text.setLength(0);
        }
      }
      webSocket.request(1);
      return null;
    }
  }

  private ObjectNode params() {
    return TestNode.JSON.createObjectNode().put("context", context);
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public void open(String url) {
    send("browsingContext.navigate", params().put("url", url).put("wait", "complete"));
  }

  @Override
  public Object js(String functionBody) {
    ObjectNode params = TestNode.JSON.createObjectNode().put("functionDeclaration", "function () {" + functionBody + "\n}")
        .put("awaitPromise", true);
    params.putObject("target").put("context", context);
    JsonNode result = send("script.callFunction", params);
    if (!"success".equals(result.path("type").asText())) {
      throw new AssertionError("script failed: " + result.path("exceptionDetails").path("text").asText());
    }
    return value(result.path("result"));
  }

  /** A BiDi RemoteValue as Selenium would give it. */
  private static Object value(JsonNode remote) {
    JsonNode v = remote.path("value");
    return switch (remote.path("type").asText()) {
      case "string" -> v.asText();
      case "boolean" -> v.asBoolean();
      case "number" -> v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble();
      case "array" -> {
        List<Object> list = new ArrayList<>();
        v.forEach(item -> list.add(value(item)));
        yield list;
      }
      case "object" -> {
        Map<String, Object> map = new LinkedHashMap<>();
        v.forEach(pair -> map.put(pair.get(0).asText(), value(pair.get(1))));
        yield map;
      }
      case "null", "undefined" -> null;
      default -> remote.toString();
    };
  }

  @Override
  public void click(String id) {
    js("document.getElementById('" + id + "').scrollIntoView({block: 'nearest'})");
    ObjectNode locate = params();
    locate.putObject("locator").put("type", "css").put("value", "#" + id);
    JsonNode nodes = send("browsingContext.locateNodes", locate).path("nodes");
    if (nodes.isEmpty()) {
      throw new AssertionError("no #" + id + " on the page");
    }
    ObjectNode actions = params();
    ObjectNode mouse = actions.putArray("actions").addObject().put("type", "pointer").put("id", "mouse");
    mouse.putObject("parameters").put("pointerType", "mouse");
    ArrayNode steps = mouse.putArray("actions");
    ObjectNode move = steps.addObject().put("type", "pointerMove").put("x", 0).put("y", 0);
    move.putObject("origin").put("type", "element").putObject("element").put("sharedId", nodes.get(0).path("sharedId").asText());
    steps.addObject().put("type", "pointerDown").put("button", 0);
    steps.addObject().put("type", "pointerUp").put("button", 0);
    send("input.performActions", actions);
  }

  @Override
  public void type(String id, String text) {
    click(id);
    ObjectNode actions = params();
    ObjectNode keys = actions.putArray("actions").addObject().put("type", "key").put("id", "keyboard");
    ArrayNode steps = keys.putArray("actions");
    text.codePoints().mapToObj(Character::toString).forEach(c -> {
      steps.addObject().put("type", "keyDown").put("value", c);
      steps.addObject().put("type", "keyUp").put("value", c);
    });
    send("input.performActions", actions);
  }

  @Override
  public void openTab(String url) {
    context = send("browsingContext.create", TestNode.JSON.createObjectNode().put("type", "tab")).path("context").asText();
    open(url);
  }

  @Override
  public void closeTab() {
    send("browsingContext.close", params());
    context = home;
  }

  @Override
  public void close() {
    try {
      if (socket != null) {
        send("browser.close", TestNode.JSON.createObjectNode());
      }
    } catch (AssertionError ignored) {
      // firefox may close the socket before it answers
    } finally {
      firefox.destroy();
      try {
        if (!firefox.waitFor(10, TimeUnit.SECONDS)) {
          firefox.descendants().forEach(ProcessHandle::destroyForcibly);
          firefox.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
