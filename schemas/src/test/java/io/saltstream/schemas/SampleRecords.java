package io.saltstream.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.provider.Arguments;

/** Realistic records of every saltstream type, with and without their optional fields. */
public final class SampleRecords {
    public static final Instant CAPTURED_AT = Instant.parse("2024-05-17T08:30:12.345Z");

    private SampleRecords() {}

    /** Returns a 4x3 RGB camera frame with a label and a source. */
    public static Frame cameraFrame() {
        return Frame.newBuilder()
                .setStreamId("camera-entrance-01")
                .setSequence(4711)
                .setEventTime(CAPTURED_AT)
                .setWidth(4)
                .setHeight(3)
                .setChannels(3)
                .setEncoding(FrameEncoding.RAW_U8)
                .setData(ByteBuffer.wrap(pattern(4 * 3 * 3, 17)))
                .setLabel(7)
                .setSource("vtest.avi")
                .build();
    }

    /** Returns a grey image without label and source, so the optional fields are null. */
    public static Frame unlabelledImage() {
        return Frame.newBuilder()
                .setStreamId("fashion-mnist-train-00042")
                .setSequence(0)
                .setEventTime(Instant.parse("2024-05-17T08:31:00Z"))
                .setWidth(28)
                .setHeight(28)
                .setChannels(1)
                .setEncoding(FrameEncoding.PNG)
                .setData(ByteBuffer.wrap(pattern(120, 3)))
                .build();
    }

    public static Embedding labelledEmbedding() {
        return Embedding.newBuilder()
                .setId("camera-entrance-01:4696-4711")
                .setStreamId("camera-entrance-01")
                .setFirstSequence(4696)
                .setLastSequence(4711)
                .setEventTime(CAPTURED_AT)
                .setModelVersion("salt-train-demo@1200")
                .setModelStep(1200)
                .setVector(List.of(0.25f, -1.5f, 3.0f, 0.125f, -0.75f, 2.0f, 0.0f, -4.0f))
                .setLabel(3)
                .build();
    }

    /**
     * Returns an unlabelled embedding with a short vector (fewer values than the JSON head shows).
     */
    public static Embedding shortEmbedding() {
        return Embedding.newBuilder()
                .setId("fashion-mnist-train-00042:0-0")
                .setStreamId("fashion-mnist-train-00042")
                .setFirstSequence(0)
                .setLastSequence(0)
                .setEventTime(Instant.parse("2024-05-17T08:31:00Z"))
                .setModelVersion("salt-train-demo@40")
                .setModelStep(40)
                .setVector(List.of(3.0f, 4.0f))
                .build();
    }

    /** Returns student-phase metrics with every quality figure present. */
    public static TrainingMetrics studentMetrics() {
        return TrainingMetrics.newBuilder()
                .setJob("salt-train-demo")
                .setPhase(TrainingPhase.STUDENT)
                .setStep(1200)
                .setSamplesSeen(76_800)
                .setEventTime(CAPTURED_AT)
                .setLoss(0.4123)
                .setLearningRate(3.2e-4)
                .setGradientNorm(1.87)
                .setSamplesPerSecond(412.5)
                .setRankMe(92.4)
                .setLidar(41.7)
                .setKnnAccuracy(0.712)
                .setLinearProbeAccuracy(0.768)
                .setModelVersion("salt-train-demo@1200")
                .build();
    }

    /** Returns teacher-phase metrics without quality figures, so the optional fields are null. */
    public static TrainingMetrics teacherMetrics() {
        return TrainingMetrics.newBuilder()
                .setJob("salt-train-demo")
                .setPhase(TrainingPhase.TEACHER)
                .setStep(20)
                .setSamplesSeen(1280)
                .setEventTime(Instant.parse("2024-05-17T08:00:00Z"))
                .setLoss(0.9731)
                .setLearningRate(1.5e-5)
                .setGradientNorm(12.3)
                .setSamplesPerSecond(95.0)
                .setModelVersion("salt-train-demo@0")
                .build();
    }

    /** Returns a small snapshot whose checkpoint travels inline. */
    public static ModelSnapshot inlineSnapshot() {
        return ModelSnapshot.newBuilder()
                .setVersion("salt-train-demo@1200")
                .setStep(1200)
                .setPhase(TrainingPhase.STUDENT)
                .setArchitecture(
                        Architecture.newBuilder()
                                .setPreset("image-28")
                                .setConfig("{\"embedDim\":128,\"depth\":4,\"numHeads\":4}")
                                .build())
                .setCreatedAt(CAPTURED_AT)
                .setParameters(
                        InlineParameters.newBuilder()
                                .setCheckpoint(ByteBuffer.wrap(pattern(256, 29)))
                                .build())
                .build();
    }

    /** Returns a ViT-B snapshot too large for Kafka, referenced by URI. */
    public static ModelSnapshot storedSnapshot() {
        return ModelSnapshot.newBuilder()
                .setVersion("salt-train-prod@120000")
                .setStep(120_000)
                .setPhase(TrainingPhase.STUDENT)
                .setArchitecture(
                        Architecture.newBuilder()
                                .setPreset("vit-base")
                                .setConfig("{\"embedDim\":768,\"depth\":12,\"numHeads\":12}")
                                .build())
                .setCreatedAt(Instant.parse("2024-06-01T23:59:59.999Z"))
                .setParameters(
                        StoredParameters.newBuilder()
                                .setUri("s3://saltstream-models/salt-train-prod/step-120000.ckpt")
                                .setSha256(
                                        "9f86d081884c7d659a2feaa0c55ad015"
                                                + "a3bf4f1b2b0b822cd15d6c15b0f00a08")
                                .setSizeBytes(344_129_536L)
                                .build())
                .build();
    }

    public static DeadLetter truncatedFrameLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("frames")
                .setPartition(2)
                .setOffset(981_234)
                .setReason("Cannot decode Frame record: the record is truncated in field data")
                .setErrorClass("io.saltstream.schemas.codec.TruncatedRecordException")
                .setPayload(ByteBuffer.wrap(pattern(16, 5)))
                .setPayloadSize(52_000)
                .setEventTime(CAPTURED_AT)
                .build();
    }

    /** Returns every sample above with a name, for parameterized tests. */
    public static Stream<Arguments> all() {
        List<Arguments> samples = new ArrayList<>();
        samples.add(Arguments.of("camera frame", cameraFrame()));
        samples.add(Arguments.of("unlabelled image", unlabelledImage()));
        samples.add(Arguments.of("labelled embedding", labelledEmbedding()));
        samples.add(Arguments.of("short embedding", shortEmbedding()));
        samples.add(Arguments.of("student metrics", studentMetrics()));
        samples.add(Arguments.of("teacher metrics", teacherMetrics()));
        samples.add(Arguments.of("inline snapshot", inlineSnapshot()));
        samples.add(Arguments.of("stored snapshot", storedSnapshot()));
        samples.add(Arguments.of("dead letter", truncatedFrameLetter()));
        return samples.stream();
    }

    /** Returns every sample record, in the order of {@link #all()}. */
    public static List<SpecificRecord> records() {
        return all().map(arguments -> (SpecificRecord) arguments.get()[1]).toList();
    }

    /** Returns {@code length} bytes of a repeating pattern that starts at {@code seed}. */
    public static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + 31 * i);
        }
        return bytes;
    }
}
