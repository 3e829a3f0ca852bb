package io.saltstream.pipeline.fit;

import java.util.List;

/**
 * Outcome of a {@link TrainingLoop} run: both stages and the loss curve.
 *
 * @param totalSteps steps run over both stages
 * @param batchSize samples per step
 * @param wallSeconds wall time of the loop, batch preparation included
 * @param samplesPerSecond samples of all steps divided by {@code wallSeconds}
 * @param skippedSteps steps the trainer skipped for a non-finite loss or gradient
 * @param phases one entry per stage that ran, in order
 * @param lossCurve one point per log interval
 */
public record TrainingSummary(
        long totalSteps,
        int batchSize,
        double wallSeconds,
        double samplesPerSecond,
        long skippedSteps,
        List<PhaseSummary> phases,
        List<LossPoint> lossCurve) {

    /**
     * One stage of training.
     *
     * @param phase TEACHER (Stage 1, pixel reconstruction) or STUDENT (Stage 2, latent prediction)
     * @param steps steps of this stage
     * @param samples samples of those steps
     * @param wallSeconds wall time of the stage, batch preparation included
     * @param stepSeconds time spent inside {@code SaltTrainer.step}
     * @param samplesPerSecond {@code samples / wallSeconds}
     * @param trainerSamplesPerSecond {@code samples / stepSeconds}, the trainer alone
     * @param firstLoss loss of the stage's first step
     * @param finalLoss mean loss of the stage's last log interval (finite losses only)
     * @param skippedSteps steps skipped for a non-finite loss or gradient
     */
    public record PhaseSummary(
            String phase,
            long steps,
            long samples,
            double wallSeconds,
            double stepSeconds,
            double samplesPerSecond,
            double trainerSamplesPerSecond,
            double firstLoss,
            double finalLoss,
            long skippedSteps) {}

    /**
     * The mean of one log interval.
     *
     * @param step trainer step at the end of the interval (the first step is 1)
     * @param phase stage of the interval; an interval never spans both stages
     * @param loss mean of the interval's finite losses, NaN when none was finite
     * @param learningRate learning rate of the interval's last step
     * @param gradientNorm mean global gradient norm before clipping, NaN when none was finite
     * @param samplesPerSecond samples of the interval divided by its wall time
     * @param elapsedSeconds wall time since the loop started
     */
    public record LossPoint(
            long step,
            String phase,
            double loss,
            double learningRate,
            double gradientNorm,
            double samplesPerSecond,
            double elapsedSeconds) {}
}
