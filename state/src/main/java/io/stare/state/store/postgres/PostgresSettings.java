package io.stare.state.store.postgres;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.stare.state.store.StateStoreException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code stare.state.store.postgres} block, checked: a setting that cannot work is a
 * {@link StateStoreException.Kind#CONFIGURATION} error before anything connects.
 *
 * @param url the JDBC URL, {@code jdbc:postgresql://host:port/database}
 * @param user the role
 * @param password its password, empty for none
 * @param schema the schema of the tables, a plain lower-case identifier
 * @param poolSize how many connections (and threads)
 * @param timeout connecting and every statement
 */
record PostgresSettings(String url, String user, String password, String schema, int poolSize, Duration timeout) {

    private static final String BLOCK = "stare.state.store.postgres";

    /** Lower case only: an unquoted name folds to it, so the schema reads the same quoted or not. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    PostgresSettings {
        if (url == null || !url.startsWith("jdbc:postgresql:") || !new org.postgresql.Driver().acceptsURL(url)) {
            throw configuration(BLOCK + ".url: not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): '"
                    + url + "'");
        }
        if (user == null || user.isBlank()) {
            throw configuration(BLOCK + ".user is empty");
        }
        if (password == null) {
            password = "";
        }
        if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
            throw configuration(BLOCK + ".schema: '" + schema + "' is not a plain identifier ([a-z_][a-z0-9_]*, "
                    + "at most 63 characters)");
        }
        if (poolSize < 1) {
            throw configuration(BLOCK + ".pool-size: " + poolSize + " is below 1");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw configuration(BLOCK + ".timeout: " + timeout + " is not positive");
        }
    }

    /**
     * Reads the driver's block; what it lacks comes from {@code reference.conf}, so a block with only
     * a URL works.
     */
    static PostgresSettings of(Config settings) {
        try {
            Config all = settings.withFallback(ConfigFactory.defaultReference().getConfig(BLOCK));
            return new PostgresSettings(all.getString("url").trim(), all.getString("user"), all.getString("password"),
                    all.getString("schema").trim(), all.getInt("pool-size"), all.getDuration("timeout"));
        } catch (ConfigException e) {
            throw new StateStoreException(StateStoreException.Kind.CONFIGURATION, BLOCK + ": " + e.getMessage(), e);
        }
    }

    /**
     * The timeout in whole seconds, rounded up: JDBC's and the driver's timeouts count seconds,
     * and 0 would mean none.
     */
    int timeoutSeconds() {
        long millis = timeout.toMillis();
        return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(1, (millis + 999) / 1000));
    }

    @Override
    public String toString() {
        return "PostgresSettings[url=" + url + ", user=" + user + ", schema=" + schema + ", poolSize=" + poolSize
                + ", timeout=" + timeout + "]";
    }

    private static StateStoreException configuration(String message) {
        return new StateStoreException(StateStoreException.Kind.CONFIGURATION, message);
    }
}
