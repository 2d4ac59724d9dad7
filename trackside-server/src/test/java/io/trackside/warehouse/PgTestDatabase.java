package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh PostgreSQL database on the machine's server (127.0.0.1:5432, trust auth; override with
 * {@code TRACKSIDE_TEST_PG}, a JDBC URL of a database the tests may create databases from),
 * dropped again on close. Each test gets its own, so tests never see each other's rows.
 */
public final class PgTestDatabase implements AutoCloseable {
  private static final String ADMIN_URL =
      System.getenv().getOrDefault("TRACKSIDE_TEST_PG", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

  private final String name;
  private final String url;

  private PgTestDatabase(String name) {
    this.name = name;
    this.url = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
  }

  public static PgTestDatabase create() throws SQLException {
    String name = "trackside_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection conn = DriverManager.getConnection(ADMIN_URL); Statement s = conn.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new SQLException("cannot create a test database on " + ADMIN_URL + " (is PostgreSQL running? start it"
          + " with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): " + e.getMessage(), e);
    }
    return new PgTestDatabase(name);
  }

  /** JDBC URL of this database. */
  public String url() {
    return url;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  @Override
  public void close() throws SQLException {
    try (Connection conn = DriverManager.getConnection(ADMIN_URL); Statement s = conn.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
