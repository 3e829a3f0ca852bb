package io.saltstream.pipeline.fit;

import io.saltstream.models.train.SaltPhase;
import io.saltstream.models.train.SaltTrainer;
import io.saltstream.models.train.StepResult;
import io.saltstream.pipeline.fit.TrainingSummary.LossPoint;
import io.saltstream.pipeline.fit.TrainingSummary.PhaseSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bare SALT training loop without Flink: draws a batch, calls {@link SaltTrainer#step} once,
 * and repeats until the trainer's configured total steps are done. This is the baseline that the
 * Flink pipeline's training throughput is compared with.
 *
 * <p>Every {@code logEvery} steps of a stage, and at the last step of each stage, it logs one INFO
 * line (step of total, stage, mean loss, learning rate, gradient norm, samples per second, elapsed
 * time and ETA) and adds a {@link LossPoint} to the curve. The ETA is the remaining steps at the
 * current stage's mean step time, so it is optimistic during Stage 1: a Stage-2 step also runs the
 * frozen teacher. At the switch to Stage 2 it logs the Stage-1 summary.
 *
 * <pre>{@code
 * try (SaltTrainer trainer = SaltTrainer.builder().setConfig(config).build()) {
 *     TrainingSummary summary =
 *             TrainingLoop.builder()
 *                     .setTrainer(trainer)
 *                     .setSampler(new BatchSampler(samples, config.getBatchSize(), seed))
 *                     .optLogEvery(50)
 *                     .build()
 *                     .run();
 * }
 * }</pre>
 */
public final class TrainingLoop {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    private final SaltTrainer trainer;
    private final BatchSampler sampler;
    private final int logEvery;

    private TrainingLoop(Builder builder) {
        this.trainer = builder.trainer;
        this.sampler = builder.sampler;
        this.logEvery = builder.logEvery;
    }

    /** Returns a builder; the trainer and the sampler are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Steps between two progress lines within a stage. */
    public int getLogEvery() {
        return logEvery;
    }

    /**
     * Runs the remaining steps of the trainer's config ({@code totalSteps - trainer.getStep()}).
     * The trainer stays open.
     */
    public TrainingSummary run() {
        long totalSteps = trainer.getConfig().getTotalSteps();
        int[] shape = sampler.batchShape();
        long loopStart = System.nanoTime();
        List<PhaseSummary> phases = new ArrayList<>();
        List<LossPoint> curve = new ArrayList<>();
        long skipped = 0;
        long samples = 0;

        PhaseTally phase = new PhaseTally(trainer.getPhase());
        Interval interval = new Interval();
        while (trainer.getStep() < totalSteps) {
            long stepStart = System.nanoTime();
            float[] batch = sampler.next();
            StepResult result = trainer.step(batch, shape);
            double stepWall = (System.nanoTime() - stepStart) / 1e9;

            phase.add(result, stepWall);
            interval.add(result, stepWall);
            samples += result.samples();
            if (result.skipped()) {
                skipped++;
            }
            boolean phaseEnded =
                    trainer.getPhase() != result.phase() || result.step() >= totalSteps;
            if (phase.steps % logEvery == 0 || phaseEnded) {
                double elapsed = (System.nanoTime() - loopStart) / 1e9;
                LossPoint point = interval.toPoint(result, elapsed);
                curve.add(point);
                phase.lastIntervalLoss = point.loss();
                logProgress(point, totalSteps, phase);
                interval = new Interval();
            }
            if (phaseEnded) {
                PhaseSummary summary = phase.summary();
                phases.add(summary);
                if (trainer.getPhase() != result.phase()) {
                    logSwitch(summary, totalSteps - result.step());
                }
                phase = new PhaseTally(trainer.getPhase());
            }
        }
        double wall = (System.nanoTime() - loopStart) / 1e9;
        return new TrainingSummary(
                totalSteps, sampler.batchSize(), wall, rate(samples, wall), skipped, phases, curve);
    }

    private void logProgress(LossPoint point, long totalSteps, PhaseTally phase) {
        double secondsPerStep = phase.wallSeconds / phase.steps;
        double eta = secondsPerStep * (totalSteps - point.step());
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "step %d/%d [%s] loss %.5f lr %.3g grad-norm %.3f | %.1f samples/s |"
                                + " elapsed %s, ETA %s",
                        point.step(),
                        totalSteps,
                        point.phase().toLowerCase(Locale.ROOT),
                        point.loss(),
                        point.learningRate(),
                        point.gradientNorm(),
                        point.samplesPerSecond(),
                        formatDuration(point.elapsedSeconds()),
                        formatDuration(eta)));
    }

    private static void logSwitch(PhaseSummary teacher, long studentSteps) {
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "==== Stage 1 (teacher, pixel reconstruction) done: %d steps in %s, %.1f"
                                + " samples/s, final loss %.5f. Stage 2 (student, latent"
                                + " prediction against the frozen teacher) starts: %d steps ====",
                        teacher.steps(),
                        formatDuration(teacher.wallSeconds()),
                        teacher.samplesPerSecond(),
                        teacher.finalLoss(),
                        studentSteps));
    }

    /** Formats seconds as {@code 1h02m03s}, {@code 2m03s} or {@code 3.4s}. */
    static String formatDuration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1fs", seconds);
        }
        long total = Math.round(seconds);
        long hours = total / 3600;
        long minutes = total % 3600 / 60;
        long rest = total % 60;
        return hours > 0
                ? String.format(Locale.ROOT, "%dh%02dm%02ds", hours, minutes, rest)
                : String.format(Locale.ROOT, "%dm%02ds", minutes, rest);
    }

    private static double rate(long samples, double seconds) {
        return seconds > 0 ? samples / seconds : 0.0;
    }

    /** Running totals of one stage. */
    private static final class PhaseTally {
        final SaltPhase phase;
        long steps;
        long samples;
        long skipped;
        double wallSeconds;
        double stepSeconds;
        double firstLoss = Double.NaN;
        double lastIntervalLoss = Double.NaN;

        PhaseTally(SaltPhase phase) {
            this.phase = phase;
        }

        void add(StepResult result, double wall) {
            if (steps == 0) {
                firstLoss = result.loss();
            }
            steps++;
            samples += result.samples();
            wallSeconds += wall;
            stepSeconds += result.seconds();
            if (result.skipped()) {
                skipped++;
            }
        }

        PhaseSummary summary() {
            return new PhaseSummary(
                    phase.name(),
                    steps,
                    samples,
                    wallSeconds,
                    stepSeconds,
                    rate(samples, wallSeconds),
                    rate(samples, stepSeconds),
                    firstLoss,
                    lastIntervalLoss,
                    skipped);
        }
    }

    /** Sums of the steps since the last progress line. */
    private static final class Interval {
        long samples;
        double wallSeconds;
        double lossSum;
        int losses;
        double gradientNormSum;
        int gradientNorms;

        void add(StepResult result, double wall) {
            samples += result.samples();
            wallSeconds += wall;
            if (Double.isFinite(result.loss())) {
                lossSum += result.loss();
                losses++;
            }
            if (Double.isFinite(result.gradientNorm())) {
                gradientNormSum += result.gradientNorm();
                gradientNorms++;
            }
        }

        LossPoint toPoint(StepResult last, double elapsed) {
            return new LossPoint(
                    last.step(),
                    last.phase().name(),
                    losses > 0 ? lossSum / losses : Double.NaN,
                    last.learningRate(),
                    gradientNorms > 0 ? gradientNormSum / gradientNorms : Double.NaN,
                    rate(samples, wallSeconds),
                    elapsed);
        }
    }

    /** Builder for {@link TrainingLoop}. */
    public static final class Builder {

        private SaltTrainer trainer;
        private BatchSampler sampler;
        private int logEvery = 50;

        private Builder() {}

        /** Sets the trainer to run (required); its config gives the total steps. */
        public Builder setTrainer(SaltTrainer trainer) {
            this.trainer = trainer;
            return this;
        }

        /** Sets the batch source (required); its batch shape must fit the trainer's model. */
        public Builder setSampler(BatchSampler sampler) {
            this.sampler = sampler;
            return this;
        }

        /** Sets the steps between two progress lines within a stage, at least 1 (default 50). */
        public Builder optLogEvery(int logEvery) {
            this.logEvery = logEvery;
            return this;
        }

        /**
         * Validates the settings and builds the loop.
         *
         * @throws IllegalArgumentException when the trainer or sampler is missing or logEvery is
         *     below 1
         */
        public TrainingLoop build() {
            if (trainer == null) {
                throw new IllegalArgumentException("trainer is missing: call setTrainer");
            }
            if (sampler == null) {
                throw new IllegalArgumentException("sampler is missing: call setSampler");
            }
            if (logEvery < 1) {
                throw new IllegalArgumentException(
                        "logEvery = " + logEvery + " is invalid: expected at least 1");
            }
            return new TrainingLoop(this);
        }
    }
}
