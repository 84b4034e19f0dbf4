package io.stare.actors.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * Where the replica controller's journal and snapshots live ({@code stare.persistence}):
 * <ul>
 *   <li>{@code memory}: H2 in memory, gone with the JVM: tests, and several controller nodes in one
 *       JVM (the demo and the test kit use {@link #inProcess} instead).</li>
 *   <li>{@code h2-file}: an embedded H2 database file; no service to run, and nodes on one machine
 *       share it ({@code AUTO_SERVER}). The default of {@code stare controller}.</li>
 *   <li>{@code postgres}: PostgreSQL, in a schema of its own. Production.</li>
 * </ul>
 * All three go through pekko-persistence-jdbc with one shared connection pool. An actor system
 * gets the store's settings from {@link #configure(Config)} before it starts, and its schema from
 * {@link #prepare(ActorSystem)} before the first entity starts.
 */
public final class ControllerStore {

    /** The stores there are. */
    public enum Kind {
        MEMORY, H2_FILE, POSTGRES;

        /** The kind for a configuration name ({@code memory}, {@code h2-file}, {@code postgres}). */
        public static Kind parse(String name) {
            for (Kind kind : values()) {
                if (kind.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("stare.persistence.store must be memory, h2-file or postgres, got '"
                    + name + "'");
        }

        /** The name in the configuration. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String SLICK = "pekko-persistence-jdbc.shared-databases.slick";

    private ControllerStore() {
    }

    /** HikariCP's system property: a connection idle this long (ms, default 500) is checked at borrow. */
    static final String HIKARI_ALIVE_BYPASS = "com.zaxxer.hikari.aliveBypassWindowMs";

    /** H2's system property for the address its TCP servers bind. */
    static final String H2_BIND_ADDRESS = "h2.bindAddress";

    /** The store {@code config} selects. */
    public static Kind kind(Config config) {
        return Kind.parse(config.getString("stare.persistence.store"));
    }

    /**
     * {@code config} with the connection settings of the store it selects, ready for an actor
     * system: the memory store is the reference configuration already; the others replace the
     * shared database's profile, driver and URL.
     *
     * @throws IllegalArgumentException for an unknown store or a bad PostgreSQL schema name
     */
    public static Config configure(Config config) {
        Config p = config.getConfig("stare.persistence");
        Kind kind = kind(config);
        Config db;
        switch (kind) {
            case H2_FILE -> {
                Path file = Path.of(p.getString("h2-file.path")).toAbsolutePath();
                // H2 reads its server's bind address from a system property only; without it the
                // AUTO_SERVER listener takes every interface.
                if (System.getProperty(H2_BIND_ADDRESS) == null) {
                    System.setProperty(H2_BIND_ADDRESS, p.getString("h2-file.bind-address"));
                }
                db = ConfigFactory.empty()
                        .withValue("profile", ConfigValueFactory.fromAnyRef("slick.jdbc.H2Profile$"))
                        .withValue("db.driver", ConfigValueFactory.fromAnyRef("org.h2.Driver"))
                        .withValue("db.url", ConfigValueFactory.fromAnyRef(h2FileUrl(file)))
                        .withValue("db.user", ConfigValueFactory.fromAnyRef("sa"))
                        .withValue("db.password", ConfigValueFactory.fromAnyRef(""))
                        .withValue("db.connectionTestQuery", ConfigValueFactory.fromAnyRef("SELECT 1"));
                // H2 closes a database for good when a write fails (a full disk), and every pooled
                // connection then answers "The database has been closed", an error the pool does not
                // take for a broken connection (and JDBC's isValid does not notice). Tested with a
                // query at every borrow (in-process, or a loopback round trip for the nodes sharing
                // the file), such a connection is replaced, and the new one opens the database again
                // once the disk has room.
                if (System.getProperty(HIKARI_ALIVE_BYPASS) == null) {
                    System.setProperty(HIKARI_ALIVE_BYPASS, "0");
                }
            }
            case POSTGRES -> {
                String schema = postgresSchema(config);
                String url = p.getString("postgres.url");
                db = ConfigFactory.empty()
                        .withValue("profile", ConfigValueFactory.fromAnyRef("slick.jdbc.PostgresProfile$"))
                        .withValue("db.driver", ConfigValueFactory.fromAnyRef("org.postgresql.Driver"))
                        .withValue("db.url", ConfigValueFactory.fromAnyRef(
                                url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema))
                        .withValue("db.user", ConfigValueFactory.fromAnyRef(p.getString("postgres.user")))
                        .withValue("db.password", ConfigValueFactory.fromAnyRef(p.getString("postgres.password")));
            }
            default -> {
                return config;
            }
        }
        return db.atPath(SLICK).withFallback(config);
    }

    /**
     * The h2-file store's JDBC URL. {@code AUTO_SERVER}: the nodes of one machine share the file
     * through the first opener's server. {@code WRITE_DELAY=0}: a commit reaches the file before
     * it returns; by default H2 writes committed changes up to half a second later, so a killed
     * node (SIGKILL, the OOM killer) took backlog entries it had already confirmed with it.
     * {@code MAX_COMPACT_TIME=0}: no compaction while closing, the step in which H2 has been seen
     * to leave a file it cannot open again ("Double mark") when a node stopped under writes.
     */
    static String h2FileUrl(Path file) {
        return "jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;MAX_COMPACT_TIME=0";
    }

    /**
     * The prefix of every persistence ID: {@code stare.persistence.namespace}, or when it is empty
     * {@code stare} (a fresh random one for the memory store, so actor systems sharing a JVM never
     * share state by accident).
     */
    public static String namespace(Config config) {
        String namespace = config.getString("stare.persistence.namespace").trim();
        if (!namespace.isEmpty()) {
            return namespace;
        }
        return kind(config) == Kind.MEMORY ? "mem-" + UUID.randomUUID() : "stare";
    }

    /** The journal of a controller that lives and dies with its process ({@link MemoryJournal}). */
    public static final String IN_PROCESS_JOURNAL = "stare.persistence.in-process-journal";
    /** Its snapshot store ({@link MemorySnapshotStore}). */
    public static final String IN_PROCESS_SNAPSHOTS = "stare.persistence.in-process-snapshot-store";

    /**
     * {@code config} for a single-process controller whose backlogs need not outlive the process
     * (the test kit's fabric, the demo, the latency benchmark): an in-memory journal and an
     * in-memory snapshot store, with no serialization and no database. Several nodes in one JVM
     * must not use it (each actor system has its own memory): they use the {@code memory} store.
     * Snapshots come every {@code stare.controller.persistence.in-process-snapshot-every} events:
     * here a snapshot is a reference, and events kept are heap.
     */
    public static Config inProcess(Config config) {
        Config full = config.withFallback(ConfigFactory.defaultReference());
        int snapshotEvery = full.getInt("stare.controller.persistence.in-process-snapshot-every");
        return ConfigFactory.parseString("pekko.persistence.journal.plugin = \"" + IN_PROCESS_JOURNAL + "\"\n"
                + "pekko.persistence.snapshot-store.plugin = \"" + IN_PROCESS_SNAPSHOTS + "\"\n"
                + "stare.controller.persistence.snapshot-every = " + snapshotEvery).withFallback(config);
    }

    /** Creates the journal and snapshot tables if they do not exist (and the PostgreSQL schema). */
    public static CompletionStage<Done> prepare(ActorSystem<?> system) {
        Config config = system.settings().config();
        if (!config.getString("pekko.persistence.journal.plugin").equals("jdbc-journal")) {
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance()); // no database
        }
        if (kind(config) != Kind.POSTGRES) {
            return SchemaUtils.createIfNotExists(system);
        }
        // The bundled script names schema public; ours gets the tables in its own schema.
        String schema = postgresSchema(config);
        String script = bundledScript("schema/postgres/postgres-create-schema.sql").replace("public.", "");
        return SchemaUtils.applyScript("CREATE SCHEMA IF NOT EXISTS " + schema, system)
                .thenCompose(done -> SchemaUtils.applyScript(script, system));
    }

    /** Drops the PostgreSQL schema and everything in it (tests clean up with it). */
    public static CompletionStage<Done> dropPostgresSchema(ActorSystem<?> system) {
        return SchemaUtils.applyScript("DROP SCHEMA IF EXISTS " + postgresSchema(system.settings().config())
                + " CASCADE", system);
    }

    private static String postgresSchema(Config config) {
        String schema = config.getString("stare.persistence.postgres.schema");
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("stare.persistence.postgres.schema must be a lower-case SQL name "
                    + "(letters, digits, _), got '" + schema + "'");
        }
        return schema;
    }

    private static String bundledScript(String resource) {
        try (InputStream in = ControllerStore.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from pekko-persistence-jdbc");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
