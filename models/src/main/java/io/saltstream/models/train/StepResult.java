package io.saltstream.models.train;

/**
 * Outcome of one {@link SaltTrainer#step} call.
 *
 * @param step the trainer's step count after this call, over both stages and skipped steps
 *     included; the first call returns 1
 * @param phase the stage the step ran in (a step that completes Stage 1 reports TEACHER)
 * @param loss the loss before the update: MSE on normalised pixels in Stage 1, L1 on
 *     layer-normalised teacher tokens in Stage 2; NaN or infinite when the step was skipped for it
 * @param learningRate the learning rate the step used, scheduled and scaled by earlier restores
 * @param weightDecay the weight decay the step used
 * @param gradientNorm the global L2 norm of the gradients before clipping; NaN when no gradient was
 *     computed because the loss was not finite
 * @param skipped whether the parameters were left unchanged because the loss or the gradients were
 *     not finite
 * @param samples the batch size B
 * @param seconds the wall-clock time of the call
 */
public record StepResult(
        long step,
        SaltPhase phase,
        double loss,
        double learningRate,
        double weightDecay,
        double gradientNorm,
        boolean skipped,
        int samples,
        double seconds) {

    /** Returns the samples per second of this step, or 0 for a step that took no time. */
    public double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : 0.0;
    }
}
