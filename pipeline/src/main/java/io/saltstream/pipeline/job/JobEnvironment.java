package io.saltstream.pipeline.job;

import io.saltstream.pipeline.config.FlinkSettings;
import io.saltstream.pipeline.config.JobOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@link StreamExecutionEnvironment} a saltstream job runs in: the cluster's when the
 * program was submitted with {@code flink run}, else a local MiniCluster in this JVM.
 *
 * <pre>{@code
 * JobEnvironment environment =
 *         JobEnvironment.builder().setConfig(config).optRestorePath("file:///ckpt/chk-12").build();
 * StreamExecutionEnvironment env = environment.create();
 * environment.webUiAddress().ifPresent(url -> System.out.println("Flink web UI: " + url));
 * }</pre>
 *
 * <p>Both get the Flink settings of {@link FlinkSettings#from}: job name, parallelism and
 * checkpointing into file-system storage, retained on cancellation. A restore path becomes {@code
 * execution.state-recovery.path}, so the job resumes from that retained checkpoint or savepoint.
 *
 * <p>The local MiniCluster also gets:
 *
 * <ul>
 *   <li>{@code taskmanager.numberOfTaskSlots} of 3 x {@code job.parallelism}, because the input
 *       operators, the trainer ("train") and the encoder ("encode") are in three slot-sharing
 *       groups and each group needs its own slots;
 *   <li>the REST API and web UI on {@code rest.bind-address} localhost at a free port (or the
 *       configured one), unless turned off;
 *   <li>a fixed-delay restart strategy with {@link #DEFAULT_RESTART_ATTEMPTS} attempts, so a job
 *       that fails on every start ends with its error instead of restarting forever.
 * </ul>
 *
 * A cluster keeps its own slots, REST endpoint and restart strategy.
 */
public final class JobEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(JobEnvironment.class);

    /** Restart attempts of a local job after a failure. */
    public static final int DEFAULT_RESTART_ATTEMPTS = 3;

    /** Delay between two restarts of a local job. */
    public static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(2);

    /** Slot-sharing groups of the train job: input operators, trainer, encoder. */
    static final int SLOT_SHARING_GROUPS = 3;

    private final ReadableConfig config;
    private final String restorePath;
    private final boolean webUi;
    private final int restPort;
    private final Configuration flinkOverrides;

    private Integer boundRestPort;
    private boolean local;

    private JobEnvironment(Builder builder) {
        this.config = builder.config;
        this.restorePath = builder.restorePath;
        this.webUi = builder.webUi;
        this.restPort = builder.restPort;
        this.flinkOverrides = builder.flinkOverrides;
    }

    /** Returns a builder; {@link Builder#setConfig} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the environment. Call it once.
     *
     * @throws IllegalArgumentException when the configuration breaks an option rule
     */
    public StreamExecutionEnvironment create() {
        Configuration flink = FlinkSettings.from(config);
        if (restorePath != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath);
            LOG.info("Restoring the job from {}", restorePath);
        }
        StreamExecutionEnvironment context = StreamExecutionEnvironment.getExecutionEnvironment();
        if (!(context instanceof LocalStreamEnvironment)) {
            // Submitted with 'flink run': the client created a context environment for its
            // cluster, which takes the job's settings as program configuration.
            local = false;
            context.configure(flink);
            LOG.info("Submitting the job to the Flink cluster of the 'flink run' client");
            return context;
        }

        local = true;
        flink.set(
                TaskManagerOptions.NUM_TASK_SLOTS,
                SLOT_SHARING_GROUPS * config.get(JobOptions.PARALLELISM));
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                DEFAULT_RESTART_ATTEMPTS);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, DEFAULT_RESTART_DELAY);
        flink.addAll(flinkOverrides);
        if (!webUi) {
            return StreamExecutionEnvironment.createLocalEnvironment(flink);
        }
        boundRestPort = restPort > 0 ? restPort : freeLoopbackPort();
        flink.set(RestOptions.BIND_ADDRESS, "localhost");
        flink.set(RestOptions.ADDRESS, "localhost");
        flink.set(RestOptions.PORT, boundRestPort);
        return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
    }

    /** Returns whether {@link #create} made a local MiniCluster environment. */
    public boolean isLocal() {
        return local;
    }

    /** Returns the web UI address of the local MiniCluster, once {@link #create} has run. */
    public Optional<String> webUiAddress() {
        return boundRestPort == null
                ? Optional.empty()
                : Optional.of("http://localhost:" + boundRestPort);
    }

    private static int freeLoopbackPort() {
        // The port is free now; another process could take it before Flink binds it, which the
        // start-up then reports as a bind failure.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to find a free port for the Flink web UI", e);
        }
    }

    /** Builder of {@link JobEnvironment}. */
    public static final class Builder {

        private ReadableConfig config;
        private String restorePath;
        private boolean webUi = true;
        private int restPort;
        private final Configuration flinkOverrides = new Configuration();

        private Builder() {}

        /** Sets the saltstream configuration. */
        public Builder setConfig(ReadableConfig config) {
            this.config = config;
            return this;
        }

        /** Sets a retained checkpoint or savepoint to restore from; {@code null} starts fresh. */
        public Builder optRestorePath(String restorePath) {
            this.restorePath = restorePath;
            return this;
        }

        /** Sets whether the local MiniCluster serves the web UI. Default true. */
        public Builder optWebUi(boolean webUi) {
            this.webUi = webUi;
            return this;
        }

        /** Sets the local web UI port; 0, the default, picks a free one. */
        public Builder optRestPort(int restPort) {
            this.restPort = restPort;
            return this;
        }

        /**
         * Adds Flink settings of the local MiniCluster that win over this class's defaults, such as
         * a restart strategy for a test.
         */
        public Builder optFlinkSettings(Configuration settings) {
            this.flinkOverrides.addAll(settings);
            return this;
        }

        /**
         * Checks the settings and builds the factory.
         *
         * @throws IllegalArgumentException when the configuration is missing, the restore path is
         *     blank or the port is outside 0..65535
         */
        public JobEnvironment build() {
            if (config == null) {
                throw new IllegalArgumentException("the saltstream configuration must be set");
            }
            if (restorePath != null && restorePath.isBlank()) {
                throw new IllegalArgumentException(
                        "restore path is blank; give the folder of a retained checkpoint"
                                + " (.../chk-N) or a savepoint");
            }
            if (restPort < 0 || restPort > 65535) {
                throw new IllegalArgumentException(
                        "rest.port is " + restPort + " but must be 0 (any free port) to 65535");
            }
            return new JobEnvironment(this);
        }
    }
}
