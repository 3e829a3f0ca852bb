package io.saltstream.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.SaltstreamConfigLoader;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.job.JobEnvironment;
import io.saltstream.pipeline.job.JobTopics;
import io.saltstream.pipeline.job.TrainJob;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.kafka.FramePublisher;
import io.saltstream.pipeline.kafka.PublishSummary;
import io.saltstream.pipeline.metrics.PrometheusReporterSettings;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the real train job with the local cluster's configuration (deploy/compose/job.yaml) on a
 * MiniCluster with Flink's Prometheus reporter and an embedded Kafka broker, and scrapes the
 * reporter while the job runs. Every metric selector of the Grafana dashboard must match a scraped
 * sample (name and labels). The parser's counter must reach the number of published frames, which
 * shows that the values are live and not only registered.
 */
class PrometheusMetricsIT {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricsIT.class);

    private static final int FRAMES = 96;
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    private static final String FRAMES_PARSED =
            "flink_taskmanager_job_task_operator_saltstream_framesParsed";

    @TempDir Path checkpoints;

    @Test
    void dashboardSelectorsMatchScrapedMetrics() throws Exception {
        GrafanaDashboard dashboard =
                GrafanaDashboard.load(
                        DeployFiles.path("deploy/grafana/dashboards/saltstream.json"));
        List<MetricSelector> selectors = dashboard.selectors();
        assertThat(selectors).isNotEmpty();

        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build()) {
            Configuration config = jobConfig(kafka.bootstrapServers());
            kafka.createTopics(JobTopics.definitions(config, 1));
            publishFrames(kafka.bootstrapServers(), config.get(TopicOptions.FRAMES));

            int port = freeLoopbackPort();
            StreamExecutionEnvironment env =
                    JobEnvironment.builder()
                            .setConfig(config)
                            .optWebUi(false)
                            .optFlinkSettings(PrometheusReporterSettings.forPort(port))
                            .build()
                            .create();
            TrainJob.builder().setConfig(config).build().addTo(env);
            JobClient job = env.executeAsync(config.get(JobOptions.NAME));
            ScrapedMetrics scraped;
            try {
                scraped = scrapeUntilMatched(job, port, selectors);
            } finally {
                cancel(job);
            }

            Path dump = Path.of(System.getProperty("java.io.tmpdir"), "prometheus-scrape.txt");
            Files.writeString(dump, scraped.text());
            LOG.info("Last scrape ({} metric names) written to {}", scraped.names().size(), dump);
            List<String> unmatched = unmatched(scraped, selectors);
            assertThat(unmatched)
                    .as("dashboard selectors without a scraped sample (scrape in %s)", dump)
                    .isEmpty();
            assertThat(scraped.sum(FRAMES_PARSED))
                    .as("%s summed over subtasks (scrape in %s)", FRAMES_PARSED, dump)
                    .isEqualTo(FRAMES);
        }
    }

    /** Loads the local cluster's job configuration with this test's broker and folders. */
    private Configuration jobConfig(String bootstrapServers) {
        return SaltstreamConfigLoader.builder()
                .optFile(DeployFiles.path("deploy/compose/job.yaml"))
                .addOverride("kafka.bootstrap-servers", bootstrapServers, "test")
                .addOverride("checkpoint.dir", checkpoints.toString(), "test")
                .addOverride("checkpoint.interval", "1 s", "test")
                .addOverride("kafka.transaction-timeout", "30 s", "test")
                .addOverride("job.name", "prometheus-metrics-it", "test")
                .build()
                .load();
    }

    /** Publishes random grey 28x28 frames with labels, so the source reads and the lag exists. */
    private static void publishFrames(String bootstrapServers, String topic) {
        Random random = new Random(11);
        Instant start = Instant.now();
        FramePublisher publisher =
                FramePublisher.builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopic(topic)
                        .build();
        for (int i = 0; i < FRAMES; i++) {
            byte[] pixels = new byte[28 * 28];
            random.nextBytes(pixels);
            publisher.publish(
                    Frame.newBuilder()
                            .setStreamId("metrics-it")
                            .setSequence(i)
                            .setEventTime(start.plusMillis(i))
                            .setWidth(28)
                            .setHeight(28)
                            .setChannels(1)
                            .setEncoding(FrameEncoding.RAW_U8)
                            .setData(ByteBuffer.wrap(pixels))
                            .setLabel(i % 10)
                            .setSource("it")
                            .build());
        }
        PublishSummary summary = publisher.finish();
        assertThat(summary.hasErrors()).as("frames published without errors").isFalse();
    }

    /**
     * Scrapes until every selector matches a sample and every frame is parsed, the job ends or the
     * timeout passes, and returns the last scrape.
     */
    private static ScrapedMetrics scrapeUntilMatched(
            JobClient job, int port, List<MetricSelector> selectors) throws Exception {
        URI url = URI.create(PrometheusReporterSettings.metricsUrl("127.0.0.1", port));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + SCRAPE_TIMEOUT.toNanos();
        ScrapedMetrics last = ScrapedMetrics.parse("");
        while (System.nanoTime() < deadline) {
            try {
                last = ScrapedMetrics.scrape(client, url);
                if (unmatched(last, selectors).isEmpty() && last.sum(FRAMES_PARSED) >= FRAMES) {
                    return last;
                }
            } catch (IOException e) {
                // The reporter starts with the MiniCluster, a moment after executeAsync returns.
                LOG.debug("Scraping {} failed: {}", url, e.toString());
            }
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                LOG.warn("The job ended with status {} before every selector matched", status);
                return last;
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        LOG.warn(
                "Not every selector matched or not every frame was parsed within {}",
                SCRAPE_TIMEOUT);
        return last;
    }

    private static List<String> unmatched(ScrapedMetrics scraped, List<MetricSelector> selectors) {
        List<String> unmatched = new ArrayList<>();
        for (MetricSelector selector : selectors) {
            if (!scraped.matches(selector)) {
                unmatched.add(
                        selector.expression()
                                + " (samples named "
                                + selector.name()
                                + ": "
                                + scraped.labelsOf(selector.name())
                                + ")");
            }
        }
        return unmatched;
    }

    /**
     * Cancels the job and waits until it has ended; the per-job MiniCluster then shuts down, so the
     * job's status can no longer be asked for.
     */
    private static void cancel(JobClient job) throws Exception {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            LOG.info(
                    "Cancelling the job failed, it had ended already: {}", e.getCause().toString());
        }
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // A cancelled job ends with a JobCancellationException, which is expected here.
            LOG.debug("The job ended with {}", e.getCause().toString());
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
