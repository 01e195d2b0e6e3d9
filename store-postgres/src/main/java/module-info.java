/**
 * Defines the PostgreSQL store of Palimpsest: conversations shared by many hosts in one
 * database, appended by short row-inserting transactions whose numbering the database's
 * constraints enforce, compacted under expiring lease rows, and searched by the database's own
 * full-text index ({@code tsvector}, GIN). See docs/postgres.md.
 */
module dev.palimpsest.store.postgres {
    requires transitive dev.palimpsest.store;
    // JDBC only: the PostgreSQL driver (no module descriptor) is reached through DriverManager
    // or a caller's DataSource and stays on the class path; no org.postgresql type is named.
    requires transitive java.sql;
    // The JSON of a stored message, the same the file store's log holds.
    requires dev.palimpsest.format;

    exports dev.palimpsest.store.postgres;
}
