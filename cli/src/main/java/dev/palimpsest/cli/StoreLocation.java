package dev.palimpsest.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the launcher's conversations live: the files of the data root (the default, or
 * {@code files}), or a PostgreSQL database named by a
 * {@code postgresql://USER@HOST[:PORT]/DATABASE[?schema=NAME&PARAM=VALUE...]} URL, from
 * {@code --store} or the {@code store} key of {@code config.json}. A password in the URL is
 * refused: it would show in process lists, shell histories and logs.
 */
sealed interface StoreLocation {
    /** The word that names the file store. */
    String FILES_NAME = "files";

    /** The files of the data root. */
    record Files() implements StoreLocation {
    }

    /**
     * A PostgreSQL database.
     *
     * @param display    the URL as given, without anything secret, for messages
     * @param jdbcUrl    the driver's URL
     * @param user       the login
     * @param schema     the schema holding the store's tables, empty for the default
     * @param parameters further connection parameters for the driver, in URL order
     */
    record Postgres(String display, String jdbcUrl, String user, String schema,
                    Map<String, String> parameters) implements StoreLocation {
        /** Copies the parameters. */
        public Postgres {
            parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
    }

    /** A driver parameter's name. */
    Pattern PARAMETER = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");

    /**
     * Parses a store location.
     *
     * @param text  what was given
     * @param where where it was given ({@code --store}, or the configuration file's key), for
     *              messages
     * @return the location
     * @throws CliException (exit 2) naming what is wrong
     */
    static StoreLocation parse(String text, String where) {
        if (text.equals(FILES_NAME)) {
            return new Files();
        }
        if (!text.startsWith("postgresql://")) {
            throw CliException.usage(where + " must be '" + FILES_NAME + "' or a"
                    + " postgresql://USER@HOST[:PORT]/DATABASE URL, was '" + Text.oneLine(text)
                    + "'");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw CliException.usage(where + " is not a valid URL: " + e.getReason(), e);
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw CliException.usage(where + " holds a password: put it in $"
                    + Session.STORE_PASSWORD_VARIABLE + " or in the file named by"
                    + " 'store_password_file' of " + LauncherConfig.FILE_NAME
                    + ", never in the URL");
        }
        if (userInfo == null || userInfo.isEmpty()) {
            throw CliException.usage(where + " names no user: postgresql://USER@HOST/DATABASE");
        }
        if (uri.getHost() == null) {
            throw CliException.usage(where + " names no host: postgresql://USER@HOST/DATABASE");
        }
        String path = uri.getRawPath();
        if (path == null || path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw CliException.usage(where + " names no database: postgresql://USER@HOST/DATABASE");
        }
        if (uri.getRawFragment() != null) {
            throw CliException.usage(where + " must not have a #fragment");
        }
        String schema = "";
        Map<String, String> parameters = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), where);
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), where);
                if (!PARAMETER.matcher(name).matches()) {
                    throw CliException.usage(where + ": '" + Text.oneLine(name)
                            + "' is not a connection parameter name");
                }
                if (name.equalsIgnoreCase("password") || name.equalsIgnoreCase("user")
                        || name.equalsIgnoreCase("sslpassword")) {
                    throw CliException.usage(where + ": give the user before the host and the"
                            + " password in $" + Session.STORE_PASSWORD_VARIABLE
                            + " or 'store_password_file', not as '" + name + "='");
                }
                if (name.equals("schema")) {
                    schema = value;
                } else if (parameters.put(name, value) != null) {
                    throw CliException.usage(where + ": parameter '" + name + "' given twice");
                }
            }
        }
        String authority = uri.getRawAuthority().substring(userInfo.length() + 1);
        String jdbc = "jdbc:postgresql://" + authority + path;
        return new Postgres(text, jdbc, decode(userInfo, where), schema, parameters);
    }

    private static String decode(String text, String where) {
        String decoded;
        try {
            decoded = URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(where + ": bad %-escape in '" + Text.oneLine(text) + "'", e);
        }
        // URLDecoder turns escapes that are not UTF-8 into U+FFFD: refuse them instead, so two
        // different URLs never name one user or value.
        if (decoded.indexOf('\uFFFD') >= 0 && !text.toUpperCase(java.util.Locale.ROOT)
                .contains("%EF%BF%BD") && text.indexOf('\uFFFD') < 0) {
            throw CliException.usage(where + ": bad %-escape in '" + Text.oneLine(text)
                    + "': not UTF-8");
        }
        return decoded;
    }
}
