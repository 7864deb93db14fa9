package dev.pnet.neo4jlocal;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community (5.26 LTS) embedded, with the Bolt connector enabled and
 * authentication on, so that it behaves like a local Neo4j server for drivers.
 *
 * <p>Options (command line wins over environment, environment over defaults):
 * <pre>
 *   --home DIR         PNET_NEO4J_HOME        neo4j home (data/, logs/ below it)   [.neo4j-local]
 *   --address HOST     PNET_NEO4J_BOLT_HOST   Bolt listen address                  [127.0.0.1]
 *   --port N           PNET_NEO4J_BOLT_PORT   Bolt port                            [7687]
 *   --pagecache SIZE   PNET_NEO4J_PAGECACHE   page cache size, e.g. 512m, 2g       [512m]
 *                      PNET_NEO4J_PASSWORD    password of user neo4j               [pnet-local-password]
 * </pre>
 * The password is read from the environment only, so it never shows in `ps`.
 * Heap size is a JVM option (-Xmx), set by scripts/neo4j-local.
 *
 * <p>stdout carries only short status lines prefixed with "neo4j-launcher:"; Neo4j's own
 * logs go to HOME/logs/. SIGTERM (or SIGINT) shuts the DBMS down cleanly.
 */
public final class Launcher {
    private static final String P = "neo4j-launcher: ";
    private static final Object LIFECYCLE = new Object();
    private static volatile DatabaseManagementService dbms;
    private static volatile boolean stopping;

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        final PrintStream out = System.out;
        String home = env("PNET_NEO4J_HOME", ".neo4j-local");
        String host = env("PNET_NEO4J_BOLT_HOST", "127.0.0.1");
        String port = env("PNET_NEO4J_BOLT_PORT", "7687");
        String pageCache = env("PNET_NEO4J_PAGECACHE", "512m");
        String password = env("PNET_NEO4J_PASSWORD", "pnet-local-password");

        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = (i + 1 < args.length) ? args[i + 1] : null;
            switch (a) {
                case "--home": home = need(a, v); i++; break;
                case "--address": host = need(a, v); i++; break;
                case "--port": port = need(a, v); i++; break;
                case "--pagecache": pageCache = need(a, v); i++; break;
                case "-h": case "--help":
                    out.println("usage: Launcher [--home DIR] [--address HOST] [--port N] [--pagecache SIZE]"
                            + "  (password from env PNET_NEO4J_PASSWORD)");
                    return;
                default:
                    System.err.println(P + "unknown argument " + a);
                    System.exit(2);
            }
        }

        final Path homeDir = Path.of(home).toAbsolutePath().normalize();
        Files.createDirectories(homeDir);
        final int boltPort = Integer.parseInt(port);
        final long pageCacheBytes = ByteUnit.parse(pageCache.toUpperCase(Locale.ROOT));

        Runtime.getRuntime().addShutdownHook(new Thread(Launcher::shutdown, "neo4j-launcher-shutdown"));

        out.printf("%sstarting Neo4j %s home=%s bolt=%s:%d pagecache=%s heap(max)=%dm%n",
                P, neo4jVersion(), homeDir, host, boltPort, pageCache,
                Runtime.getRuntime().maxMemory() / (1024 * 1024));
        out.flush();
        final long t0 = System.nanoTime();

        synchronized (LIFECYCLE) {
            if (stopping) {
                return;
            }
            dbms = new DatabaseManagementServiceBuilder(homeDir)
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    // Embedded Community enables the anonymous usage-data reporter by default; this
                    // machine must not call out (dbms.usage_report.enabled).
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheBytes)
                    // No 250 MB pre-allocated transaction log files per database on a dev box.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files")
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(host, boltPort))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(host, boltPort))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    // Netty's graceful-shutdown quiet period defaults to 5 s per Bolt event loop group
                    // (two of them: "bolt" and "bolt-local"), which alone made a stop take ~10 s.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .build();
        }

        try {
            setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
            // Touch the default database so the first client does not pay for it.
            dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        } catch (RuntimeException e) {
            if (stopping) {
                return; // asked to stop while starting; the shutdown hook finishes the job
            }
            System.err.println(P + "initialisation failed: " + e.getMessage());
            out.println(P + "failed");
            out.flush();
            System.exit(1);
        }

        out.printf("%sready bolt://%s:%d in %d ms%n", P, host, boltPort,
                Duration.ofNanos(System.nanoTime() - t0).toMillis());
        out.flush();

        new CountDownLatch(1).await(); // park until the JVM is asked to stop
    }

    /** Sets neo4j's password; a no-op when it already is that password. */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("Old password and new password cannot be the same")) {
                // Still make sure no change is required (first start may have set it).
                system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
                return;
            }
            throw e;
        }
    }

    private static void shutdown() {
        stopping = true;
        synchronized (LIFECYCLE) {
            DatabaseManagementService s = dbms;
            if (s == null) {
                return;
            }
            long t0 = System.nanoTime();
            System.out.println(P + "stopping");
            System.out.flush();
            try {
                s.shutdown();
                System.out.printf("%sstopped in %d ms%n", P,
                        Duration.ofNanos(System.nanoTime() - t0).toMillis());
            } catch (Throwable t) {
                System.out.println(P + "shutdown error: " + t);
            }
            System.out.flush();
            dbms = null;
        }
    }

    private static String neo4jVersion() {
        try {
            return org.neo4j.kernel.internal.Version.getNeo4jVersion();
        } catch (Throwable t) {
            return "?";
        }
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return (v == null || v.isBlank()) ? def : v;
    }

    private static String need(String flag, String v) {
        if (v == null) {
            System.err.println(P + flag + " needs a value");
            System.exit(2);
        }
        return v;
    }
}
