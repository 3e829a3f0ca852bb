package io.saltstream.models.train;

/** The stage a {@link SaltTrainer} is in. */
public enum SaltPhase {
    /**
     * Stage 1: the encoder that will become the teacher learns masked pixel reconstruction with a
     * {@code PixelDecoder}.
     */
    TEACHER,

    /**
     * Stage 2: the encoder of Stage 1 is frozen as the teacher; a fresh student and a predictor
     * learn to predict the teacher's layer-normalised tokens at the masked positions.
     */
    STUDENT
}
