package io.saltstream.operators.preprocess;

import io.saltstream.operators.OperatorMetrics;
import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.clip.Clip;
import io.saltstream.operators.clip.ClipFrame;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.operators.deadletter.RateLimitedLogger;
import io.saltstream.operators.deadletter.RejectedRecordException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link Clip} into the model's input tensor: decodes each frame, converts it to the
 * model's channel count, resizes and centre-crops it, and normalises it.
 *
 * <p>Per frame: JPEG and PNG are decoded with {@link ImageIO}, RAW_U8 is read directly; grey
 * becomes RGB by repeating the plane and RGB becomes grey by the ITU-R BT.601 luma weights;
 * bilinear resizing brings the shorter side to {@code preprocess.resize-shorter-side} (default: the
 * larger of H and W), and the centre H x W is cropped; each value v in [0, 255] becomes {@code (v /
 * 255 - mean[c]) / std[c]}. The output {@link ClipTensor} has shape {@code {C, T, H, W}} with T the
 * clip's frame count and the values in C, T, H, W order.
 *
 * <p>A clip with a frame that does not decode, or whose decoded size differs from the declared
 * width and height, goes to {@link DeadLetters#OUTPUT_TAG} as that frame re-encoded, with the
 * reason; the job keeps running. Counted in {@code saltstream.clipsPreprocessed} and {@code
 * saltstream.deadLetters}.
 *
 * <p>NOTE: {@link #open} calls {@link ImageIO#setUseCache(boolean) ImageIO.setUseCache(false)}, a
 * JVM-wide setting, so decoding never writes temporary files.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ClipTensor> tensors =
 *         clips.process(Preprocess.builder().setChannels(1).setHeight(28).setWidth(28).build())
 *                 .name("preprocess").uid("preprocess");
 * }</pre>
 */
public class Preprocess extends ProcessFunction<Clip, ClipTensor>
        implements ResultTypeQueryable<ClipTensor> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(Preprocess.class);

    /** Default mean of grey images: maps [0, 1] to [-1, 1] together with {@link #GREY_STD}. */
    public static final float[] GREY_MEAN = {0.5f};

    /** Default standard deviation of grey images. */
    public static final float[] GREY_STD = {0.5f};

    /** Default mean of RGB images: the ImageNet channel means. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

    /** Default standard deviation of RGB images: the ImageNet channel standard deviations. */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final int channels;
    private final int height;
    private final int width;
    private final int resizeShorterSide;
    private final float[] mean;
    private final float[] std;
    private final DeadLetters deadLetters;

    private transient RateLimitedLogger rejections;
    private transient Counter clipsPreprocessed;
    private transient Counter deadLetterCounter;

    private Preprocess(Builder builder) {
        this.channels = builder.channels;
        this.height = builder.height;
        this.width = builder.width;
        this.resizeShorterSide =
                builder.resizeShorterSide == null
                        ? Math.max(builder.height, builder.width)
                        : builder.resizeShorterSide;
        this.mean = builder.mean == null ? defaultMean(builder.channels) : builder.mean.clone();
        this.std = builder.std == null ? defaultStd(builder.channels) : builder.std.clone();
        this.deadLetters = builder.deadLetters;
    }

    /** Returns a builder; channels, height and width must be set. */
    public static Builder builder() {
        return new Builder();
    }

    private static float[] defaultMean(int channels) {
        return (channels == 1 ? GREY_MEAN : IMAGENET_MEAN).clone();
    }

    private static float[] defaultStd(int channels) {
        return (channels == 1 ? GREY_STD : IMAGENET_STD).clone();
    }

    /** Returns the output channel count C. */
    public int getChannels() {
        return channels;
    }

    /** Returns the output height H. */
    public int getHeight() {
        return height;
    }

    /** Returns the output width W. */
    public int getWidth() {
        return width;
    }

    /** Returns the length the shorter side is resized to before cropping. */
    public int getResizeShorterSide() {
        return resizeShorterSide;
    }

    /** Returns a copy of the per-channel means. */
    public float[] getMean() {
        return mean.clone();
    }

    /** Returns a copy of the per-channel standard deviations. */
    public float[] getStd() {
        return std.clone();
    }

    @Override
    public void open(OpenContext openContext) {
        ImageIO.setUseCache(false);
        rejections = new RateLimitedLogger(LOG, RateLimitedLogger.DEFAULT_INTERVAL);
        clipsPreprocessed = OperatorMetrics.group(getRuntimeContext()).counter("clipsPreprocessed");
        deadLetterCounter =
                OperatorMetrics.group(getRuntimeContext()).counter(OperatorMetrics.DEAD_LETTERS);
        LOG.info(
                "Preprocess started: output {}x{}x{} (C x H x W), preprocess.resize-shorter-side={},"
                        + " preprocess.mean={}, preprocess.std={}",
                channels,
                height,
                width,
                resizeShorterSide,
                Arrays.toString(mean),
                Arrays.toString(std));
    }

    @Override
    public void processElement(Clip clip, Context ctx, Collector<ClipTensor> out) {
        int frameCount = clip.frames.size();
        if (frameCount == 0) {
            // ClipAssembler never emits an empty clip, so one is a bug upstream, not bad input.
            throw new IllegalArgumentException(
                    "clip "
                            + ClipTensor.idOf(clip.streamId, clip.firstSequence, clip.lastSequence)
                            + " has no frames but needs at least one");
        }
        float[] data = new float[channels * frameCount * height * width];
        for (int t = 0; t < frameCount; t++) {
            ClipFrame frame = clip.frames.get(t);
            String where =
                    " (stream '"
                            + clip.streamId
                            + "', sequence "
                            + frame.sequence
                            + ", clip "
                            + ClipTensor.idOf(clip.streamId, clip.firstSequence, clip.lastSequence)
                            + ")";
            try {
                FrameImage.decode(frame, where)
                        .withChannels(channels)
                        .resizeCropNormalise(
                                resizeShorterSide, height, width, mean, std, data, t, frameCount);
            } catch (RejectedRecordException e) {
                reject(clip, t, e, ctx);
                return;
            }
        }
        out.collect(
                new ClipTensor(
                        clip.streamId,
                        clip.firstSequence,
                        clip.lastSequence,
                        clip.eventTime,
                        clip.label,
                        new int[] {channels, frameCount, height, width},
                        data));
        clipsPreprocessed.inc();
    }

    @Override
    public TypeInformation<ClipTensor> getProducedType() {
        return OperatorTypes.CLIP_TENSOR;
    }

    /** Returns the number of clips sent to dead letters by this instance since open. */
    long getDeadLetterCount() {
        return deadLetterCounter.getCount();
    }

    private void reject(Clip clip, int frameIndex, RejectedRecordException e, Context ctx) {
        ClipFrame frame = clip.frames.get(frameIndex);
        Integer label = frameIndex == 0 ? clip.label : null;
        String reason = "clip dropped: " + e.getMessage();
        ctx.output(
                DeadLetters.OUTPUT_TAG,
                deadLetters.forFrame(
                        frame.toFrame(clip.streamId, label),
                        reason,
                        e.getErrorClass(),
                        ctx.timerService().currentProcessingTime()));
        deadLetterCounter.inc();
        rejections.warn("Rejected clip: " + reason);
    }

    /**
     * Builder of {@link Preprocess}.
     *
     * <pre>{@code
     * Preprocess preprocess =
     *         Preprocess.builder()
     *                 .setChannels(3)
     *                 .setHeight(224)
     *                 .setWidth(224)
     *                 .optResizeShorterSide(256)
     *                 .build();
     * }</pre>
     */
    public static final class Builder {

        private int channels;
        private int height;
        private int width;
        private Integer resizeShorterSide;
        private float[] mean;
        private float[] std;
        private DeadLetters deadLetters = DeadLetters.defaults();

        private Builder() {}

        /**
         * Sets {@code preprocess.channels}: the model's channel count C. Required.
         *
         * @param channels 1 (grey) or 3 (RGB)
         * @return this builder
         */
        public Builder setChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets {@code preprocess.height}: the model's input height H in pixels. Required.
         *
         * @param height 1 or more
         * @return this builder
         */
        public Builder setHeight(int height) {
            this.height = height;
            return this;
        }

        /**
         * Sets {@code preprocess.width}: the model's input width W in pixels. Required.
         *
         * @param width 1 or more
         * @return this builder
         */
        public Builder setWidth(int width) {
            this.width = width;
            return this;
        }

        /**
         * Sets {@code preprocess.resize-shorter-side}: the length in pixels the shorter image side
         * is resized to before the centre crop. Default: max(H, W), so the crop loses only the
         * excess of the longer side.
         *
         * @param resizeShorterSide at least max(H, W)
         * @return this builder
         */
        public Builder optResizeShorterSide(int resizeShorterSide) {
            this.resizeShorterSide = resizeShorterSide;
            return this;
        }

        /**
         * Sets {@code preprocess.mean}: the per-channel mean of pixel values scaled to [0, 1].
         * Default {@link #GREY_MEAN} for 1 channel, {@link #IMAGENET_MEAN} for 3.
         *
         * @param mean one finite value per channel
         * @return this builder
         */
        public Builder optMean(float... mean) {
            this.mean = mean == null ? null : mean.clone();
            return this;
        }

        /**
         * Sets {@code preprocess.std}: the per-channel standard deviation of pixel values scaled to
         * [0, 1]. Default {@link #GREY_STD} for 1 channel, {@link #IMAGENET_STD} for 3.
         *
         * @param std one finite positive value per channel
         * @return this builder
         */
        public Builder optStd(float... std) {
            this.std = std == null ? null : std.clone();
            return this;
        }

        /**
         * Sets how dead letters are built. Default {@link DeadLetters#defaults()}.
         *
         * @param deadLetters the dead-letter settings
         * @return this builder
         */
        public Builder optDeadLetters(DeadLetters deadLetters) {
            this.deadLetters = deadLetters;
            return this;
        }

        /**
         * Validates the settings and builds the function.
         *
         * @return the function
         * @throws IllegalArgumentException if a setting is missing or out of range
         */
        public Preprocess build() {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException(
                        "preprocess.channels is "
                                + channels
                                + " but must be 1 (grey) or 3 (RGB); set it to the model's"
                                + " channel count");
            }
            if (height < 1) {
                throw new IllegalArgumentException(
                        "preprocess.height is " + height + " but must be 1 or more");
            }
            if (width < 1) {
                throw new IllegalArgumentException(
                        "preprocess.width is " + width + " but must be 1 or more");
            }
            int crop = Math.max(height, width);
            if (resizeShorterSide != null && resizeShorterSide < crop) {
                throw new IllegalArgumentException(
                        "preprocess.resize-shorter-side is "
                                + resizeShorterSide
                                + " but must be at least max(preprocess.height,"
                                + " preprocess.width) = "
                                + crop
                                + " so the centre crop fits");
            }
            checkPerChannel("preprocess.mean", mean, false);
            checkPerChannel("preprocess.std", std, true);
            if (deadLetters == null) {
                throw new IllegalArgumentException("deadLetters is null but must be set");
            }
            return new Preprocess(this);
        }

        private void checkPerChannel(String key, float[] values, boolean positive) {
            if (values == null) {
                return;
            }
            if (values.length != channels) {
                throw new IllegalArgumentException(
                        key
                                + " is "
                                + Arrays.toString(values)
                                + " but must have one value per channel ("
                                + channels
                                + ")");
            }
            for (float value : values) {
                if (!Float.isFinite(value) || (positive && value <= 0)) {
                    throw new IllegalArgumentException(
                            key
                                    + " is "
                                    + Arrays.toString(values)
                                    + " but every value must be finite"
                                    + (positive ? " and positive" : ""));
                }
            }
        }
    }
}
