package io.saltstream.pipeline.it;

import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.pipeline.config.SaltstreamConfigLoader;
import io.saltstream.pipeline.fit.DataFiles;
import io.saltstream.pipeline.ingest.IdxDataset;
import io.saltstream.pipeline.ingest.IdxReader;
import io.saltstream.pipeline.job.JobTopics;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.kafka.FramePublisher;
import io.saltstream.pipeline.kafka.PublishSummary;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared set-up of the pipeline integration tests: an embedded broker with the job topics, a small
 * configuration, and images published as frames.
 */
final class PipelineFixture {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineFixture.class);

    /** Stream id of the valid images. */
    static final String IMAGE_STREAM = "it-images";

    private PipelineFixture() {}

    /** Starts a broker and creates the job topics of {@code config}, frames with 1 partition. */
    static EmbeddedKafka startKafka(Configuration config) {
        EmbeddedKafka kafka = EmbeddedKafka.builder().build();
        kafka.createTopics(JobTopics.definitions(config, 1));
        return kafka;
    }

    /**
     * Returns a configuration for fast tests: the image-28 preset with batch 8, a few steps per
     * stage, frequent snapshots, metrics and quality figures, checkpoints every second.
     */
    static Configuration smallConfig(
            String bootstrapServers, Path checkpointDir, Map<String, String> overrides) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap-servers", bootstrapServers);
        settings.put("checkpoint.dir", checkpointDir.toString());
        settings.put("checkpoint.interval", "1 s");
        settings.put("kafka.transaction-timeout", "30 s");
        settings.put("model.preset", "image-28");
        settings.put("optimization.batch-size", "8");
        settings.put("optimization.teacher-steps", "6");
        settings.put("optimization.total-steps", "14");
        settings.put("optimization.warmup-steps", "2");
        settings.put("train.snapshot-interval", "4");
        settings.put("train.metrics-interval", "2");
        settings.put("train.quality-interval", "7");
        settings.put("quality.reservoir-size", "64");
        settings.put("quality.lidar-classes", "8");
        settings.put("quality.lidar-views", "2");
        settings.put("quality.knn-k", "5");
        settings.put("encode.batch-size", "32");
        settings.putAll(overrides);
        SaltstreamConfigLoader.Builder loader = SaltstreamConfigLoader.builder();
        settings.forEach((key, value) -> loader.addOverride(key, value, "test"));
        return loader.build().load();
    }

    /**
     * Returns {@code count} grey 28x28 images: the first Fashion-MNIST test images when the data
     * folder contains them, else generated random images with labels 0..9.
     */
    static IdxDataset images(int count) throws IOException {
        Path dataDir = Path.of(System.getProperty(DataFiles.DATA_DIR_PROPERTY, "data"));
        DataFiles.FashionMnistFiles files = DataFiles.fashionMnist(dataDir);
        if (Files.isRegularFile(files.testImages()) && Files.isRegularFile(files.testLabels())) {
            LOG.info("Using the first {} Fashion-MNIST test images of {}", count, dataDir);
            return IdxReader.readDataset(files.testImages(), files.testLabels(), count);
        }
        LOG.info(
                "Fashion-MNIST not found under {}; using {} generated random images instead (run"
                        + " bin/fetch-data for the real ones)",
                dataDir,
                count);
        Random random = new Random(7);
        byte[] pixels = new byte[count * 28 * 28];
        random.nextBytes(pixels);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
        }
        return new IdxDataset(count, 28, 28, pixels, labels);
    }

    /** Returns image {@code index} of {@code images} as a RAW_U8 frame of {@code streamId}. */
    static Frame imageFrame(IdxDataset images, int index, String streamId, Instant start) {
        return Frame.newBuilder()
                .setStreamId(streamId)
                .setSequence(index)
                .setEventTime(start.plusMillis(index))
                .setWidth(images.columns())
                .setHeight(images.rows())
                .setChannels(1)
                .setEncoding(FrameEncoding.RAW_U8)
                .setData(ByteBuffer.wrap(images.image(index)))
                .setLabel(images.label(index))
                .setSource("it")
                .build();
    }

    /**
     * Publishes every image of {@code images} as stream {@link #IMAGE_STREAM} and returns the ids
     * of the clips they become (one clip per image).
     */
    static Set<String> publishImages(FramePublisher publisher, IdxDataset images, Instant start) {
        Set<String> clipIds = new LinkedHashSet<>();
        for (int i = 0; i < images.count(); i++) {
            publisher.publish(imageFrame(images, i, IMAGE_STREAM, start));
            clipIds.add(ClipTensor.idOf(IMAGE_STREAM, i, i));
        }
        return clipIds;
    }

    /** Returns a publisher of the frames topic; the caller finishes it. */
    static FramePublisher publisher(String bootstrapServers, String topic) {
        return FramePublisher.builder()
                .setBootstrapServers(bootstrapServers)
                .setTopic(topic)
                .build();
    }

    /** Flushes and closes the publisher, failing when a record was not acknowledged. */
    static void finish(FramePublisher publisher) {
        PublishSummary summary = publisher.finish();
        if (summary.hasErrors()) {
            throw new IllegalStateException(
                    "publishing failed: " + summary.firstError().getMessage(),
                    summary.firstError());
        }
    }
}
