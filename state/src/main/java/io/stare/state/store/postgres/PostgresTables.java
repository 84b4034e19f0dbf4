package io.stare.state.store.postgres;

import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import io.stare.state.store.Change;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The tables of one schema, one per structure type and named after its label, and every statement
 * the store sends them. Each table's rows carry the key's parts (the type is the table); every
 * statement binds them first ({@code nf, instance, partition, id}), then its own parameters.
 *
 * <pre>
 * value      (nf, instance, partition, id, value bytea)
 * counter    (nf, instance, partition, id, value bigint)
 * list       (nf, instance, partition, id, seq bigserial, value bytea)   read ORDER BY seq
 * set        (nf, instance, partition, id, member bytea)
 * map        (nf, instance, partition, id, field bytea, value bytea)
 * countermap (nf, instance, partition, id, field bytea, value bigint)
 * </pre>
 *
 * The primary keys are the key's parts plus seq, member or field; nf comes first, so they also
 * serve {@code keys(nf)}.
 */
final class PostgresTables {

    private static final String KEY_COLUMNS = "nf, instance, partition, id";
    private static final String KEY_MATCH = "nf = ? AND instance = ? AND partition = ? AND id = ?";
    private static final String KEY_VALUES = "?, ?, ?, ?";

    private final String schema;
    private final Map<StructureType, String> tables = new EnumMap<>(StructureType.class);
    private final Map<StructureType, String> deletes = new EnumMap<>(StructureType.class);
    private final Map<StructureType, String> reads = new EnumMap<>(StructureType.class);
    private final Map<StructureType, String> removeFields = new EnumMap<>(StructureType.class);
    private final String putValue;
    private final String setCounter;
    private final String addToCounter;
    private final String append;
    private final String addMember;
    private final String removeMember;
    private final String putField;
    private final String setField;
    private final String addToField;
    private final String keys;

    /** @param schema a plain identifier, already checked ({@link PostgresSettings}) */
    PostgresTables(String schema) {
        this.schema = schema;
        List<String> eachTable = new ArrayList<>();
        for (StructureType type : StructureType.values()) {
            String table = quote(schema) + "." + quote(type.label());
            tables.put(type, table);
            deletes.put(type, "DELETE FROM " + table + " WHERE " + KEY_MATCH);
            eachTable.add("SELECT DISTINCT instance, partition, id, '" + type.label() + "' FROM " + table
                    + " WHERE nf = ?");
        }
        reads.put(StructureType.VALUE, "SELECT value FROM " + table(StructureType.VALUE) + " WHERE " + KEY_MATCH);
        reads.put(StructureType.COUNTER, "SELECT value FROM " + table(StructureType.COUNTER) + " WHERE " + KEY_MATCH);
        reads.put(StructureType.LIST, "SELECT value FROM " + table(StructureType.LIST) + " WHERE " + KEY_MATCH
                + " ORDER BY seq");
        reads.put(StructureType.SET, "SELECT member FROM " + table(StructureType.SET) + " WHERE " + KEY_MATCH);
        reads.put(StructureType.MAP, "SELECT field, value FROM " + table(StructureType.MAP) + " WHERE " + KEY_MATCH);
        reads.put(StructureType.COUNTERMAP, "SELECT field, value FROM " + table(StructureType.COUNTERMAP) + " WHERE "
                + KEY_MATCH);

        putValue = upsert(StructureType.VALUE, "value", "DO UPDATE SET value = EXCLUDED.value");
        setCounter = upsert(StructureType.COUNTER, "value", "DO UPDATE SET value = EXCLUDED.value");
        addToCounter = upsert(StructureType.COUNTER, "value", "DO UPDATE SET value = " + quote("counter")
                + ".value + EXCLUDED.value");
        append = "INSERT INTO " + table(StructureType.LIST) + " (" + KEY_COLUMNS + ", value) VALUES (" + KEY_VALUES
                + ", ?)";
        addMember = "INSERT INTO " + table(StructureType.SET) + " (" + KEY_COLUMNS + ", member) VALUES (" + KEY_VALUES
                + ", ?) ON CONFLICT DO NOTHING";
        removeMember = "DELETE FROM " + table(StructureType.SET) + " WHERE " + KEY_MATCH + " AND member = ?";
        putField = upsertField(StructureType.MAP, "DO UPDATE SET value = EXCLUDED.value");
        setField = upsertField(StructureType.COUNTERMAP, "DO UPDATE SET value = EXCLUDED.value");
        addToField = upsertField(StructureType.COUNTERMAP, "DO UPDATE SET value = " + quote("countermap")
                + ".value + EXCLUDED.value");
        for (StructureType type : List.of(StructureType.MAP, StructureType.COUNTERMAP)) {
            removeFields.put(type, "DELETE FROM " + table(type) + " WHERE " + KEY_MATCH + " AND field = ?");
        }
        keys = String.join(" UNION ALL ", eachTable);
    }

    /** The schema's name, unquoted. */
    String schema() {
        return schema;
    }

    /** {@code "schema"."label"}. */
    String table(StructureType type) {
        return tables.get(type);
    }

    /** The statements that create the schema and its tables where missing. */
    List<String> creation() {
        List<String> ddl = new ArrayList<>();
        ddl.add("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
        String key = "nf text NOT NULL, instance text NOT NULL, partition integer NOT NULL, id text NOT NULL, ";
        ddl.add(create(StructureType.VALUE, key + "value bytea NOT NULL", ""));
        ddl.add(create(StructureType.COUNTER, key + "value bigint NOT NULL", ""));
        ddl.add(create(StructureType.LIST, key + "seq bigserial NOT NULL, value bytea NOT NULL", ", seq"));
        ddl.add(create(StructureType.SET, key + "member bytea NOT NULL", ", member"));
        ddl.add(create(StructureType.MAP, key + "field bytea NOT NULL, value bytea NOT NULL", ", field"));
        ddl.add(create(StructureType.COUNTERMAP, key + "field bytea NOT NULL, value bigint NOT NULL", ", field"));
        return ddl;
    }

    private String create(StructureType type, String columns, String keyTail) {
        return "CREATE TABLE IF NOT EXISTS " + table(type) + " (" + columns + ", PRIMARY KEY (" + KEY_COLUMNS + keyTail
                + "))";
    }

    /** Counts how many of the six tables the schema has: {@code schema} binds the one parameter. */
    static String countTables() {
        StringBuilder names = new StringBuilder();
        for (StructureType type : StructureType.values()) {
            names.append(names.length() == 0 ? "" : ", ").append('\'').append(type.label()).append('\'');
        }
        return "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = ? AND tablename IN (" + names + ")";
    }

    /** The read of one item of {@code type}: the key binds its four parameters. */
    String read(StructureType type) {
        return reads.get(type);
    }

    /** The distinct (instance, partition, id, type label) of every table; nf binds each table's one parameter. */
    String keys() {
        return keys;
    }

    /** How many parameters {@link #keys()} has. */
    static int keysParameters() {
        return StructureType.values().length;
    }

    /** The statement that writes {@code change}; consecutive changes with the same one are batched. */
    String statementOf(Change change) {
        if (change instanceof Change.PutValue) {
            return putValue;
        } else if (change instanceof Change.Delete) {
            return deletes.get(change.key().type());
        } else if (change instanceof Change.SetCounter) {
            return setCounter;
        } else if (change instanceof Change.AddToCounter) {
            return addToCounter;
        } else if (change instanceof Change.Append) {
            return append;
        } else if (change instanceof Change.AddMember) {
            return addMember;
        } else if (change instanceof Change.RemoveMember) {
            return removeMember;
        } else if (change instanceof Change.PutField) {
            return putField;
        } else if (change instanceof Change.SetField) {
            return setField;
        } else if (change instanceof Change.AddToField) {
            return addToField;
        } else if (change instanceof Change.RemoveField) {
            return removeFields.get(change.key().type());
        }
        throw new IllegalArgumentException("no statement for " + change);
    }

    /**
     * Adds {@code change} to the batch of {@code statement} (the one {@link #statementOf} gave): one
     * entry, or one per value of an {@link Change.Append}.
     */
    static void addBatch(PreparedStatement statement, Change change) throws SQLException {
        if (change instanceof Change.Append append) {
            for (byte[] value : append.values()) {
                bindKey(statement, change.key());
                statement.setBytes(5, value);
                statement.addBatch();
            }
            return;
        }
        bindKey(statement, change.key());
        if (change instanceof Change.PutValue put) {
            statement.setBytes(5, put.value());
        } else if (change instanceof Change.SetCounter set) {
            statement.setLong(5, set.value());
        } else if (change instanceof Change.AddToCounter add) {
            statement.setLong(5, add.delta());
        } else if (change instanceof Change.AddMember add) {
            statement.setBytes(5, add.member().toArray());
        } else if (change instanceof Change.RemoveMember remove) {
            statement.setBytes(5, remove.member().toArray());
        } else if (change instanceof Change.PutField put) {
            statement.setBytes(5, put.field().toArray());
            statement.setBytes(6, put.value());
        } else if (change instanceof Change.SetField set) {
            statement.setBytes(5, set.field().toArray());
            statement.setLong(6, set.value());
        } else if (change instanceof Change.AddToField add) {
            statement.setBytes(5, add.field().toArray());
            statement.setLong(6, add.delta());
        } else if (change instanceof Change.RemoveField remove) {
            statement.setBytes(5, remove.field().toArray());
        }
        statement.addBatch();
    }

    /** Binds the key's parts to parameters 1 to 4. */
    static void bindKey(PreparedStatement statement, StateKey key) throws SQLException {
        statement.setString(1, key.nf());
        statement.setString(2, key.instance());
        statement.setInt(3, key.partition());
        statement.setString(4, key.id());
    }

    private String upsert(StructureType type, String column, String onConflict) {
        return "INSERT INTO " + table(type) + " (" + KEY_COLUMNS + ", " + column + ") VALUES (" + KEY_VALUES
                + ", ?) ON CONFLICT (" + KEY_COLUMNS + ") " + onConflict;
    }

    private String upsertField(StructureType type, String onConflict) {
        return "INSERT INTO " + table(type) + " (" + KEY_COLUMNS + ", field, value) VALUES (" + KEY_VALUES
                + ", ?, ?) ON CONFLICT (" + KEY_COLUMNS + ", field) " + onConflict;
    }

    /** Only checked identifiers and our labels get here; quoting keeps {@code set}, {@code value}... plain names. */
    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }
}
