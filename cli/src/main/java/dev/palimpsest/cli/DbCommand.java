package dev.palimpsest.cli;

import java.io.PrintStream;
import java.util.OptionalInt;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code palimpsest db migrate|status}: creates or migrates a PostgreSQL store's schema, or
 * tells its version. The file store has no schema to migrate.
 */
final class DbCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("db", "Create or migrate the schema of a PostgreSQL"
                        + " store (migrate), or print its version (status).",
                "The store is --store or 'store' in config.json; migrate is safe to run again"
                        + " and from several hosts at once.");
        spec.addPositional(PositionalParamSpec.builder().index("0").arity("1").required(true)
                .paramLabel("ACTION").type(String.class)
                .description("migrate or status.").build());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        String action = invocation.positional(0);
        if (!action.equals("migrate") && !action.equals("status")) {
            throw CliException.usage("db takes 'migrate' or 'status', not '"
                    + Text.oneLine(action) + "'");
        }
        Session session = invocation.session();
        StoreLocation.Postgres postgres = session.postgres().orElseThrow(() ->
                CliException.usage("db works on a PostgreSQL store: give --store"
                        + " postgresql://USER@HOST/DATABASE or 'store' in "
                        + LauncherConfig.FILE_NAME + " (the file store has no schema)"));
        PrintStream out = invocation.terminal().out();
        String schema = PostgresStores.schema(postgres);
        int current = PostgresStores.buildVersion();
        if (action.equals("migrate")) {
            int before = PostgresStores.migrate(postgres, session.storePassword());
            out.println(before == current
                    ? "schema " + schema + " is at version " + current + " already"
                    : "schema " + schema + " migrated from version " + before + " to "
                            + current);
            return ExitCode.OK;
        }
        OptionalInt version = PostgresStores.version(postgres, session.storePassword());
        if (version.isEmpty()) {
            throw new CliException(ExitCode.NO_SUCH_CONVERSATION, "no schema " + schema + " in "
                    + postgres.display() + ": run 'palimpsest db migrate'", null);
        }
        out.println("schema " + schema + " at version " + version.getAsInt()
                + " (this build reads version " + current + ")");
        return ExitCode.OK;
    }
}
