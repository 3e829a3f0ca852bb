package io.saltstream.pipeline.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster in this JVM: one KRaft server that is broker and controller at
 * once, listening on 127.0.0.1 only. For the local demo and for tests; it has no replication, no
 * authentication and no TLS.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().build()) {
 *     kafka.createTopic("frames", 4);
 *     String bootstrap = kafka.bootstrapServers(); // 127.0.0.1:PORT
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} formats the log directory (unless it is already formatted), starts the
 * server and waits until {@code Admin.describeCluster()} returns the broker. Start-up usually takes
 * a few seconds.
 *
 * <p>Broker settings differ from Kafka's defaults where one node needs it:
 *
 * <ul>
 *   <li>{@code offsets.topic.replication.factor}, {@code transaction.state.log.replication.factor}
 *       and {@code transaction.state.log.min.isr} are 1, so consumer groups and transactions
 *       (exactly-once sinks) work with one broker;
 *   <li>the internal offsets and transaction topics have 1 partition and {@code
 *       group.initial.rebalance.delay.ms} is 0, so the first consumer starts without a delay;
 *   <li>{@code message.max.bytes} is {@link #DEFAULT_MESSAGE_MAX_BYTES} (16 MiB instead of about 1
 *       MB), matching {@link FramePublisher#DEFAULT_MAX_REQUEST_SIZE}, so raw video frames fit;
 *   <li>{@code log.cleaner.dedupe.buffer.size} is 2 MiB instead of 128 MiB, which is plenty for
 *       compacted demo topics.
 * </ul>
 *
 * Any broker property can be overridden with {@link Builder#optBrokerProperty}. Kafka's own logs go
 * through SLF4J; the project's log4j2 configurations keep {@code kafka} and {@code
 * org.apache.kafka} at WARN.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Broker {@code message.max.bytes}: 16 MiB. */
    public static final int DEFAULT_MESSAGE_MAX_BYTES = 16 * 1024 * 1024;

    /** Default time {@link Builder#build()} waits for the broker to respond. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Admin admin;
    private final int port;
    private final Path logDir;
    private final boolean deleteLogDirOnClose;
    private final String clusterId;
    private boolean closed;

    private EmbeddedKafka(
            KafkaRaftServer server,
            Admin admin,
            int port,
            Path logDir,
            boolean deleteLogDirOnClose,
            String clusterId) {
        this.server = server;
        this.admin = admin;
        this.port = port;
        this.logDir = logDir;
        this.deleteLogDirOnClose = deleteLogDirOnClose;
        this.clusterId = clusterId;
    }

    /** Returns a builder; every setting is optional. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the address clients connect to: {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** Returns the broker's client port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Returns the directory that contains the topic data and the metadata log. */
    public Path logDir() {
        return logDir;
    }

    /** Returns the cluster id written when the log directory was formatted. */
    public String clusterId() {
        return clusterId;
    }

    /**
     * Creates a topic with replication factor 1 and waits until the broker has created it.
     *
     * @return true when the topic was created, false when it already existed (it is left as it is)
     * @throws IllegalArgumentException when the name is invalid or partitions is below 1
     */
    public boolean createTopic(String name, int partitions) {
        return createTopics(List.of(newTopic(name, partitions, Map.of()))).contains(name);
    }

    /**
     * Creates a compacted topic ({@code cleanup.policy=compact}) with one partition, for records
     * where only the newest value per key matters, such as model snapshots.
     *
     * @return true when the topic was created, false when it already existed
     */
    public boolean createCompactedTopic(String name) {
        return createTopics(
                        List.of(
                                newTopic(
                                        name,
                                        1,
                                        Map.of(
                                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                                TopicConfig.CLEANUP_POLICY_COMPACT))))
                .contains(name);
    }

    /**
     * Creates topics and waits until the broker has created them. Topics that already exist are
     * skipped.
     *
     * @return the names of the topics that were created
     * @throws IllegalStateException when the broker fails to create a topic or does not respond
     *     within 30 s
     */
    public Set<String> createTopics(Collection<NewTopic> topics) {
        checkOpen();
        Set<String> created = new LinkedHashSet<>();
        Map<String, KafkaFuture<Void>> futures = admin.createTopics(topics).values();
        for (NewTopic topic : topics) {
            String name = topic.name();
            try {
                futures.get(name).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                created.add(name);
                LOG.info("Created topic '{}'", name);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    LOG.info("Topic '{}' already exists", name);
                    continue;
                }
                throw new IllegalStateException(
                        "Failed to create topic '" + name + "': " + e.getCause().getMessage(),
                        e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "Timed out after "
                                + ADMIN_TIMEOUT.toSeconds()
                                + " s creating topic '"
                                + name
                                + "'",
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "Interrupted while creating topic '" + name + "'", e);
            }
        }
        return created;
    }

    /**
     * Returns a topic definition with replication factor 1, for {@link #createTopics}.
     *
     * @param configs topic-level settings such as {@code cleanup.policy}; may be empty
     * @throws IllegalArgumentException when the name is invalid or partitions is below 1
     */
    public static NewTopic newTopic(String name, int partitions, Map<String, String> configs) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            throw new IllegalArgumentException(
                    "Invalid topic name '" + name + "': " + e.getMessage(), e);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "Topic '" + name + "' needs at least 1 partition, got " + partitions);
        }
        return new NewTopic(name, partitions, (short) 1).configs(configs);
    }

    /** Returns the names of the topics sorted by name, without Kafka's internal ones. */
    public SortedSet<String> listTopics() {
        checkOpen();
        try {
            return new TreeSet<>(
                    admin.listTopics()
                            .names()
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Failed to list topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while listing topics", e);
        }
    }

    /**
     * Returns a new admin client for this broker. The caller closes it; the embedded broker does
     * not.
     */
    public Admin newAdminClient() {
        checkOpen();
        return Admin.create(clientProperties());
    }

    /**
     * Returns the properties every client of this broker needs ({@code bootstrap.servers}), to add
     * producer or consumer settings to.
     */
    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    /**
     * Stops the server and waits until it has shut down, then deletes the log directory if this
     * instance created it. A directory given with {@link Builder#optLogDir} is kept. Calling it
     * again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        admin.close(Duration.ofSeconds(5));
        server.shutdown();
        server.awaitShutdown();
        if (deleteLogDirOnClose) {
            deleteRecursively(logDir);
        }
        LOG.info(
                "Stopped Kafka at {} in {} ms",
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(
                    "Embedded Kafka at " + bootstrapServers() + " is already closed");
        }
    }

    private static void deleteRecursively(Path directory) {
        try {
            Utils.delete(directory.toFile());
        } catch (IOException e) {
            LOG.warn("Failed to delete the Kafka log directory {}: {}", directory, e.toString());
        }
    }

    /**
     * Builder of {@link EmbeddedKafka}. Without settings it picks free ports and a temporary log
     * directory that {@link #close()} deletes.
     */
    public static final class Builder {
        private Integer port;
        private Path logDir;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Duration startTimeout = DEFAULT_START_TIMEOUT;

        private Builder() {}

        /**
         * Sets the broker's client port on 127.0.0.1. Default: a free port chosen at start.
         *
         * @throws IllegalArgumentException when the port is outside 1..65535
         */
        public Builder optPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Sets the log directory, which is kept after {@link #close()}, so a later start on the
         * same directory has the same topics and records. The directory is formatted on first use
         * only. It must be new, empty, or a directory this class formatted before. Default: a
         * temporary directory under {@code java.io.tmpdir} that {@link #close()} deletes.
         */
        public Builder optLogDir(Path logDir) {
            if (logDir == null) {
                throw new IllegalArgumentException("log directory must not be null");
            }
            this.logDir = logDir;
            return this;
        }

        /**
         * Sets a broker property, overriding this class's default, for example {@code
         * log.retention.ms}. Unknown keys are rejected.
         *
         * @throws IllegalArgumentException for an unknown key or a value of the wrong type or range
         */
        public Builder optBrokerProperty(String key, String value) {
            ConfigDef.ConfigKey configKey =
                    key == null ? null : KafkaConfig.configDef().configKeys().get(key);
            if (configKey == null) {
                throw new IllegalArgumentException(
                        "Unknown Kafka broker property '"
                                + key
                                + "'; use a key from the Kafka broker configuration, for example"
                                + " log.retention.ms");
            }
            if (value == null) {
                throw new IllegalArgumentException(
                        "Broker property '" + key + "' must not have a null value");
            }
            try {
                Object parsed = ConfigDef.parseType(key, value, configKey.type);
                if (configKey.validator != null) {
                    configKey.validator.ensureValid(key, parsed);
                }
            } catch (ConfigException e) {
                throw new IllegalArgumentException(
                        "Invalid value '"
                                + value
                                + "' for Kafka broker property '"
                                + key
                                + "': "
                                + e.getMessage(),
                        e);
            }
            brokerProperties.put(key, value);
            return this;
        }

        /** Sets how long {@link #build()} waits for the broker. Default 60 s. */
        public Builder optStartTimeout(Duration startTimeout) {
            if (startTimeout == null || startTimeout.isZero() || startTimeout.isNegative()) {
                throw new IllegalArgumentException(
                        "start timeout must be positive, got " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * Formats the log directory if needed, starts the server and waits until it responds.
         *
         * @throws IllegalArgumentException when the log directory is a file, not writable, or a
         *     non-empty directory that Kafka did not format, or a broker property is invalid
         * @throws IllegalStateException when the port is in use or the broker does not start within
         *     the start timeout
         */
        public EmbeddedKafka build() {
            if (port != null) {
                checkPortFree(port);
            }
            boolean temporary = logDir == null;
            Path directory = temporary ? createTemporaryDirectory() : prepareLogDir(logDir);
            try {
                String clusterId = formatIfNeeded(directory);
                return startWithRetries(directory, temporary, clusterId);
            } catch (RuntimeException e) {
                if (temporary) {
                    deleteRecursively(directory);
                }
                throw e;
            }
        }

        private EmbeddedKafka startWithRetries(
                Path directory, boolean temporary, String clusterId) {
            // Free ports are picked before Kafka binds them, so another process can take one in
            // between. Only then (and only for ports this class picked) is a retry useful.
            for (int attempt = 1; ; attempt++) {
                int brokerPort = port != null ? port : freePort();
                int controllerPort = freePort();
                try {
                    return start(directory, temporary, clusterId, brokerPort, controllerPort);
                } catch (RuntimeException e) {
                    boolean bindFailure = hasCause(e, BindException.class);
                    if (!bindFailure || attempt >= MAX_START_ATTEMPTS) {
                        throw e;
                    }
                    LOG.warn(
                            "Port {} or {} was taken before Kafka could bind it; retrying with new"
                                    + " ports (attempt {} of {})",
                            brokerPort,
                            controllerPort,
                            attempt + 1,
                            MAX_START_ATTEMPTS);
                }
            }
        }

        private EmbeddedKafka start(
                Path directory,
                boolean temporary,
                String clusterId,
                int brokerPort,
                int controllerPort) {
            long startNanos = System.nanoTime();
            KafkaConfig config = brokerConfig(directory, brokerPort, controllerPort);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            Admin admin = null;
            try {
                server.startup();
                Properties adminProperties = new Properties();
                adminProperties.put(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + brokerPort);
                admin = Admin.create(adminProperties);
                awaitBroker(admin, HOST + ":" + brokerPort);
            } catch (RuntimeException e) {
                if (admin != null) {
                    admin.close(Duration.ofSeconds(1));
                }
                server.shutdown();
                server.awaitShutdown();
                throw e;
            }
            EmbeddedKafka kafka =
                    new EmbeddedKafka(server, admin, brokerPort, directory, temporary, clusterId);
            LOG.info(
                    "Started Kafka {} at {} (log dir {}, cluster id {}) in {} ms",
                    AppInfoParser.getVersion(),
                    kafka.bootstrapServers(),
                    directory,
                    clusterId,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return kafka;
        }

        private void awaitBroker(Admin admin, String address) {
            try {
                int brokers =
                        admin.describeCluster()
                                .nodes()
                                .get(startTimeout.toMillis(), TimeUnit.MILLISECONDS)
                                .size();
                LOG.debug("Cluster at {} reports {} broker(s)", address, brokers);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(
                        "Kafka at "
                                + address
                                + " did not respond within "
                                + startTimeout.toSeconds()
                                + " s: "
                                + e,
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Kafka to start", e);
            }
        }

        private KafkaConfig brokerConfig(Path directory, int brokerPort, int controllerPort) {
            Map<String, String> properties = new LinkedHashMap<>();

            // One KRaft node that is broker and controller, on loopback only.
            String brokerAddress = HOST + ":" + brokerPort;
            String controllerAddress = HOST + ":" + controllerPort;
            properties.put("process.roles", "broker,controller");
            properties.put("node.id", Integer.toString(NODE_ID));
            properties.put("controller.quorum.voters", NODE_ID + "@" + controllerAddress);
            properties.put(
                    "listeners",
                    BROKER_LISTENER
                            + "://"
                            + brokerAddress
                            + ","
                            + CONTROLLER_LISTENER
                            + "://"
                            + controllerAddress);
            properties.put("advertised.listeners", BROKER_LISTENER + "://" + brokerAddress);
            properties.put(
                    "listener.security.protocol.map",
                    BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            properties.put("inter.broker.listener.name", BROKER_LISTENER);
            properties.put("controller.listener.names", CONTROLLER_LISTENER);
            properties.put("log.dirs", directory.toString());

            // Internal topics with one replica, so groups and transactions work on one node.
            properties.put("offsets.topic.replication.factor", "1");
            properties.put("offsets.topic.num.partitions", "1");
            properties.put("transaction.state.log.replication.factor", "1");
            properties.put("transaction.state.log.min.isr", "1");
            properties.put("transaction.state.log.num.partitions", "1");
            properties.put("share.coordinator.state.topic.replication.factor", "1");
            properties.put("share.coordinator.state.topic.min.isr", "1");
            properties.put("group.initial.rebalance.delay.ms", "0");

            // Record size and resource settings for a demo on a small machine.
            properties.put("message.max.bytes", Integer.toString(DEFAULT_MESSAGE_MAX_BYTES));
            properties.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
            properties.put("num.partitions", "1");
            properties.put("num.network.threads", "2");
            properties.put("num.io.threads", "4");

            properties.putAll(brokerProperties);
            try {
                return new KafkaConfig(properties, false);
            } catch (ConfigException | IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Invalid Kafka broker configuration: " + e.getMessage(), e);
            }
        }

        private String formatIfNeeded(Path directory) {
            Path metaProperties = directory.resolve(META_PROPERTIES);
            if (Files.exists(metaProperties)) {
                String existing = readClusterId(metaProperties);
                LOG.info(
                        "Using formatted Kafka log directory {} (cluster id {})",
                        directory,
                        existing);
                return existing;
            }
            String clusterId = Uuid.randomUuid().toString();
            Formatter formatter =
                    new Formatter()
                            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                            .setNodeId(NODE_ID)
                            .setClusterId(clusterId)
                            .setDirectories(List.of(directory.toString()))
                            .setMetadataLogDirectory(directory.toString())
                            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                            .setControllerListenerName(CONTROLLER_LISTENER);
            try {
                formatter.run();
            } catch (Exception e) {
                throw new IllegalStateException(
                        "Failed to format the Kafka log directory " + directory + ": " + e, e);
            }
            LOG.info("Formatted Kafka log directory {} (cluster id {})", directory, clusterId);
            return clusterId;
        }

        private static String readClusterId(Path metaProperties) {
            Properties properties = new Properties();
            try (var reader = Files.newBufferedReader(metaProperties)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("Failed to read " + metaProperties, e);
            }
            String clusterId = properties.getProperty("cluster.id");
            if (clusterId == null) {
                throw new IllegalArgumentException(
                        metaProperties
                                + " has no cluster.id; delete the directory or choose another one");
            }
            return clusterId;
        }

        private static Path createTemporaryDirectory() {
            try {
                return Files.createTempDirectory("saltstream-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Failed to create a temporary Kafka log directory under "
                                + System.getProperty("java.io.tmpdir"),
                        e);
            }
        }

        private static Path prepareLogDir(Path directory) {
            Path absolute = directory.toAbsolutePath().normalize();
            if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
                throw new IllegalArgumentException(
                        "Kafka log directory "
                                + absolute
                                + " is a file, not a directory; give a new or empty directory");
            }
            try {
                Files.createDirectories(absolute);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "Cannot create Kafka log directory " + absolute + ": " + e, e);
            }
            if (!Files.isWritable(absolute)) {
                throw new IllegalArgumentException(
                        "Kafka log directory "
                                + absolute
                                + " is not writable; give a directory you can write to");
            }
            if (!Files.exists(absolute.resolve(META_PROPERTIES)) && !isEmpty(absolute)) {
                throw new IllegalArgumentException(
                        "Kafka log directory "
                                + absolute
                                + " is not empty and was not formatted by Kafka (no "
                                + META_PROPERTIES
                                + "); give a new or empty directory");
            }
            return absolute;
        }

        private static boolean isEmpty(Path directory) {
            try (Stream<Path> entries = Files.list(directory)) {
                return entries.findAny().isEmpty();
            } catch (IOException e) {
                throw new UncheckedIOException("Failed to list " + directory, e);
            }
        }

        private static void checkPortFree(int port) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            } catch (IOException e) {
                throw new IllegalStateException(
                        "Port "
                                + port
                                + " on "
                                + HOST
                                + " is already in use ("
                                + e.getMessage()
                                + "); choose another port or stop the process that uses it");
            }
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("Failed to find a free port on " + HOST, e);
            }
        }

        private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
            List<Throwable> seen = new ArrayList<>();
            for (Throwable cause = error; cause != null && !seen.contains(cause); ) {
                if (type.isInstance(cause)) {
                    return true;
                }
                seen.add(cause);
                cause = cause.getCause();
            }
            return false;
        }
    }
}
