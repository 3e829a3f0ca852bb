package io.saltstream.pipeline.metrics;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;

/**
 * Flink settings that turn on Flink's Prometheus reporter, so that a local MiniCluster (the {@code
 * saltstream demo} and {@code train} commands) serves its metrics at {@code
 * http://HOST:PORT/metrics} like a cluster deployed from {@code deploy/}.
 *
 * <pre>{@code
 * JobEnvironment environment =
 *         JobEnvironment.builder()
 *                 .setConfig(config)
 *                 .optFlinkSettings(PrometheusReporterSettings.forPort(9249))
 *                 .build();
 * }</pre>
 *
 * <p>The reporter exports each metric under its logical scope joined with underscores and prefixed
 * with {@code flink_}, with every character outside {@code [a-zA-Z0-9:_]} replaced by an
 * underscore. The trainer's loss gauge in the {@code saltstream} group becomes {@code
 * flink_taskmanager_job_task_operator_saltstream_loss}, with labels such as {@code job_name},
 * {@code operator_name} and {@code subtask_index}. Counters and gauges become Prometheus gauges;
 * histograms become summaries with a {@code quantile} label. These names come from {@code
 * AbstractPrometheusReporter} in flink-metrics-prometheus 2.2.1.
 *
 * <p>The reporter binds the port on every network interface, and a port that is taken is logged by
 * Flink as a reporter that failed to start; the job runs without it.
 */
public final class PrometheusReporterSettings {

    /** Name of the reporter in the keys {@code metrics.reporter.<name>.*}. */
    public static final String REPORTER_NAME = "prom";

    /** Factory class of Flink's pull-based Prometheus reporter. */
    public static final String FACTORY_CLASS = PrometheusReporterFactory.class.getName();

    /** Port the reporter serves on unless another is given: Flink's default for the reporter. */
    public static final int DEFAULT_PORT = 9249;

    /** Parameter of the Prometheus reporter that sets its port or port range, such as 9250-9260. */
    public static final String PORT_PARAMETER = "port";

    /** Full key of {@link #FACTORY_CLASS} for the reporter {@link #REPORTER_NAME}. */
    public static final String FACTORY_CLASS_KEY =
            reporterKey(MetricOptions.REPORTER_FACTORY_CLASS.key());

    /** Full key of the port of the reporter {@link #REPORTER_NAME}. */
    public static final String PORT_KEY = reporterKey(PORT_PARAMETER);

    private static final ConfigOption<String> FACTORY_CLASS_OPTION =
            ConfigOptions.key(FACTORY_CLASS_KEY).stringType().noDefaultValue();

    private static final ConfigOption<String> PORT_OPTION =
            ConfigOptions.key(PORT_KEY).stringType().noDefaultValue();

    private PrometheusReporterSettings() {}

    /**
     * Returns the Flink settings of a Prometheus reporter named {@value #REPORTER_NAME} on {@code
     * port}, to add to a MiniCluster's or a cluster's configuration.
     *
     * @param port the TCP port, 1 to 65535
     * @throws IllegalArgumentException when the port is outside 1..65535
     */
    public static Configuration forPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(
                    "Prometheus metrics port is "
                            + port
                            + " but must be 1 to 65535 (Flink's default for the reporter is "
                            + DEFAULT_PORT
                            + ")");
        }
        Configuration settings = new Configuration();
        settings.set(FACTORY_CLASS_OPTION, FACTORY_CLASS);
        settings.set(PORT_OPTION, Integer.toString(port));
        return settings;
    }

    /**
     * Returns the address Prometheus scrapes on {@code host}, such as
     * http://localhost:9249/metrics.
     */
    public static String metricsUrl(String host, int port) {
        return "http://" + host + ":" + port + "/metrics";
    }

    private static String reporterKey(String suffix) {
        return "metrics.reporter." + REPORTER_NAME + "." + suffix;
    }
}
