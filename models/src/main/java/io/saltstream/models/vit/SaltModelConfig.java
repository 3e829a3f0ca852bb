package io.saltstream.models.vit;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable architecture of every network SALT trains for one preset: the {@link VisionTransformer}
 * encoder (teacher and student share it), the latent {@link VisionTransformerPredictor} of Stage 2
 * and the {@link PixelDecoder} of Stage 1.
 *
 * <p>{@link #toJson()} gives the text that checkpoints and {@code
 * ModelSnapshot.architecture.config} carry, for example:
 *
 * <pre>{@code
 * {"preset":"image-28","encoder":{"inputChannels":1,...},"predictor":{"embedDim":64,...},
 *  "decoder":{"embedDim":64,...}}
 * }</pre>
 *
 * <p>Standard presets come from {@link VisionTransformerPresets}.
 */
@JsonAutoDetect(
        getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE,
        fieldVisibility = Visibility.NONE)
public final class SaltModelConfig {

    /** Preset name of a config that was not built from a preset. */
    public static final String CUSTOM_PRESET = "custom";

    private final String presetName;
    private final VisionTransformerConfig encoder;
    private final PredictorConfig predictor;
    private final PredictorConfig decoder;

    private SaltModelConfig(Builder builder) {
        this.presetName = builder.presetName;
        this.encoder = builder.encoder;
        this.predictor = builder.predictor;
        this.decoder = builder.decoder;
    }

    /** Returns a builder with no network set and the preset name {@value #CUSTOM_PRESET}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder preset with every value of this config. */
    public Builder toBuilder() {
        return new Builder()
                .optPresetName(presetName)
                .setEncoder(encoder)
                .setPredictor(predictor)
                .setDecoder(decoder);
    }

    /** Preset name, for example {@code "vit-base"}, or {@value #CUSTOM_PRESET}. */
    @JsonProperty("preset")
    public String getPresetName() {
        return presetName;
    }

    /** Encoder of the teacher and the student. */
    @JsonProperty("encoder")
    public VisionTransformerConfig getEncoder() {
        return encoder;
    }

    /** Latent predictor of Stage 2. */
    @JsonProperty("predictor")
    public PredictorConfig getPredictor() {
        return predictor;
    }

    /** Pixel decoder of Stage 1. */
    @JsonProperty("decoder")
    public PredictorConfig getDecoder() {
        return decoder;
    }

    /** Computes the trainable parameters of the latent predictor (output width D). */
    public long predictorParameterCount() {
        return predictor.parameterCount(encoder.getEmbedDim(), encoder.getEmbedDim());
    }

    /** Computes the trainable parameters of the pixel decoder (output width t·p·p·C). */
    public long decoderParameterCount() {
        return decoder.parameterCount(encoder.getEmbedDim(), encoder.getPatchVolume());
    }

    /** Writes this config as JSON with the keys {@code preset}, {@code encoder}, etc. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    /**
     * Reads a config written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, unknown or missing keys, or invalid
     *     values in any section
     */
    public static SaltModelConfig fromJson(String json) {
        return ConfigJson.read(json, SaltModelConfig.class);
    }

    @JsonCreator
    static SaltModelConfig fromJsonFields(
            @JsonProperty("preset") String presetName,
            @JsonProperty("encoder") VisionTransformerConfig encoder,
            @JsonProperty("predictor") PredictorConfig predictor,
            @JsonProperty("decoder") PredictorConfig decoder) {
        List<String> missing = new ArrayList<>();
        if (encoder == null) {
            missing.add("encoder");
        }
        if (predictor == null) {
            missing.add("predictor");
        }
        if (decoder == null) {
            missing.add("decoder");
        }
        ConfigJson.missingKeys("SaltModelConfig", missing);
        Builder builder = builder().setEncoder(encoder).setPredictor(predictor).setDecoder(decoder);
        if (presetName != null) {
            builder.optPresetName(presetName);
        }
        return builder.build();
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SaltModelConfig)) {
            return false;
        }
        SaltModelConfig that = (SaltModelConfig) other;
        return presetName.equals(that.presetName)
                && encoder.equals(that.encoder)
                && predictor.equals(that.predictor)
                && decoder.equals(that.decoder);
    }

    @Override
    public int hashCode() {
        return Objects.hash(presetName, encoder, predictor, decoder);
    }

    @Override
    public String toString() {
        return "SaltModelConfig" + toJson();
    }

    /**
     * Builder for {@link SaltModelConfig}. Required: encoder, predictor and decoder. Optional: the
     * preset name ({@value #CUSTOM_PRESET}).
     */
    public static final class Builder {
        private String presetName = CUSTOM_PRESET;
        private VisionTransformerConfig encoder;
        private PredictorConfig predictor;
        private PredictorConfig decoder;

        private Builder() {}

        /** Sets the preset name recorded with the config (default {@value #CUSTOM_PRESET}). */
        public Builder optPresetName(String presetName) {
            this.presetName = presetName;
            return this;
        }

        /** Sets the encoder shared by teacher and student. */
        public Builder setEncoder(VisionTransformerConfig encoder) {
            this.encoder = encoder;
            return this;
        }

        /** Sets the latent predictor of Stage 2. */
        public Builder setPredictor(PredictorConfig predictor) {
            this.predictor = predictor;
            return this;
        }

        /** Sets the pixel decoder of Stage 1. */
        public Builder setDecoder(PredictorConfig decoder) {
            this.decoder = decoder;
            return this;
        }

        /**
         * Checks that every part is set and builds the config.
         *
         * @throws IllegalArgumentException naming every missing part or a blank preset name
         */
        public SaltModelConfig build() {
            List<String> errors = new ArrayList<>();
            if (presetName == null || presetName.isBlank()) {
                errors.add("presetName = '" + presetName + "' must be a non-blank name");
            }
            if (encoder == null) {
                errors.add("encoder is missing: call setEncoder");
            }
            if (predictor == null) {
                errors.add("predictor is missing: call setPredictor");
            }
            if (decoder == null) {
                errors.add("decoder is missing: call setDecoder");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid SaltModelConfig: " + String.join("; ", errors));
            }
            return new SaltModelConfig(this);
        }
    }
}
