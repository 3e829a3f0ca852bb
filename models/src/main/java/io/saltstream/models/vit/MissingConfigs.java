package io.saltstream.models.vit;

import java.util.ArrayList;
import java.util.List;

/** Builder check shared by the predictor and the decoder. */
final class MissingConfigs {

    private MissingConfigs() {}

    /**
     * Throws when either config is missing.
     *
     * @param type the block being built, for the message
     * @param ownName name of the block's own config, such as {@code predictorConfig}; its setter is
     *     {@code set} plus the capitalised name
     */
    static void check(
            String type,
            VisionTransformerConfig encoderConfig,
            PredictorConfig ownConfig,
            String ownName) {
        List<String> errors = new ArrayList<>();
        if (encoderConfig == null) {
            errors.add("encoderConfig is missing: call setEncoderConfig");
        }
        if (ownConfig == null) {
            String setter = "set" + Character.toUpperCase(ownName.charAt(0)) + ownName.substring(1);
            errors.add(ownName + " is missing: call " + setter);
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid " + type + ": " + String.join("; ", errors));
        }
    }
}
