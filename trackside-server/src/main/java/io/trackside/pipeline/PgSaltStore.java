package io.trackside.pipeline;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The keys every node of a cluster shares, in the PostgreSQL warehouse's {@code daily_salts}
 * table, so that a visitor whose log partition moves to another node keeps its id for the day.
 *
 * <p>The first node to need a day's key makes it ({@link SecureRandom}) and inserts it with
 * {@code ON CONFLICT DO NOTHING}; every node then reads back the row that won. A row is never
 * updated, so all nodes use one key per day whatever order they come in.
 *
 * <p>Every write takes one transaction-scoped advisory lock, so that "make a day only if it is not
 * retired yet" cannot interleave with another node's rotation: a node whose clock is far behind
 * must not bring back a day the others have deleted (that row would outlive the two-day window).
 *
 * <p>A connection per call: the keys are read at start and once a day, and a dedicated
 * connection cannot be left broken by a warehouse failover in between.
 */
final class PgSaltStore implements SaltStore {

  /** Arbitrary, and unlike the schema's lock (7226410930512345001) so the two never wait on each other. */
  private static final long LOCK = 7226410930512345002L;

  private final String url;
  private final Properties timeouts = new Properties();
  private final SecureRandom random = new SecureRandom();

  /** Connects once to create the table if needed. */
  PgSaltStore(String url) {
    this.url = url;
    // Defaults only: settings in the URL win. Rotation holds back the workers that need a key,
    // so a dead server must fail the attempt (then retried) rather than hang it.
    timeouts.setProperty("connectTimeout", "5");
    timeouts.setProperty("socketTimeout", "30");
    timeouts.setProperty("ApplicationName", "trackside-salts");
    inTransaction(conn -> {
      try (Statement s = conn.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS daily_salts (day date PRIMARY KEY,"
            + " salt bytea NOT NULL CHECK (octet_length(salt) = " + DailySalts.SALT_BYTES + "),"
            + " created_at timestamptz NOT NULL DEFAULT now())");
      }
      return null;
    });
  }

  @Override
  public byte[] keyFor(LocalDate day) {
    byte[] candidate = new byte[DailySalts.SALT_BYTES];
    random.nextBytes(candidate);
    return inTransaction(conn -> {
      try (PreparedStatement insert = conn.prepareStatement("INSERT INTO daily_salts (day, salt) SELECT ?, ?"
          + " WHERE NOT EXISTS (SELECT 1 FROM daily_salts WHERE day > ?) ON CONFLICT (day) DO NOTHING")) {
        insert.setObject(1, day);
        insert.setBytes(2, candidate);
        // Retired: another node already keeps a day two or more after this one, so it deleted this one.
        insert.setObject(3, day.plusDays(1));
        insert.executeUpdate();
      }
      try (PreparedStatement select = conn.prepareStatement("SELECT salt FROM daily_salts WHERE day = ?")) {
        select.setObject(1, day);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? rs.getBytes(1) : null;
        }
      }
    });
  }

  /**
   * Deletes the rows older than yesterday. PostgreSQL keeps a deleted row's bytes until VACUUM
   * reclaims its page (and in WAL and backups); that is the warehouse's to protect, as the data
   * directory is for the file store.
   */
  @Override
  public void retainOnly(LocalDate today, LocalDate yesterday) {
    inTransaction(conn -> {
      try (PreparedStatement delete = conn.prepareStatement("DELETE FROM daily_salts WHERE day < ?")) {
        delete.setObject(1, yesterday);
        delete.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public List<LocalDate> storedDays() {
    return inTransaction(conn -> {
      List<LocalDate> days = new ArrayList<>();
      try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT day FROM daily_salts ORDER BY day")) {
        while (rs.next()) {
          days.add(rs.getObject(1, LocalDate.class));
        }
      }
      return days;
    });
  }

  private interface Work<T> {
    T run(Connection conn) throws SQLException;
  }

  private <T> T inTransaction(Work<T> work) {
    try (Connection conn = DriverManager.getConnection(url, timeouts)) {
      conn.setAutoCommit(false);
      try {
        try (Statement s = conn.createStatement()) {
          s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
        }
        T result = work.run(conn);
        conn.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          conn.rollback();
        } catch (SQLException broken) {
          e.addSuppressed(broken);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new SaltsUnavailableException("the shared salts in PostgreSQL (table daily_salts) cannot be read or"
          + " written: " + e.getMessage(), e);
    }
  }
}
