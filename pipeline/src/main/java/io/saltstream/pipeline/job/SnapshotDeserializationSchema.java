package io.saltstream.pipeline.job;

import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.codec.AvroCodecs;
import io.saltstream.schemas.codec.RecordDecodeException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the values of the models topic as single-object Avro {@link ModelSnapshot}s. A record
 * that does not decode is skipped with a WARN: the encoder keeps the model it has, so the
 * embeddings it writes stay correct.
 */
final class SnapshotDeserializationSchema implements DeserializationSchema<ModelSnapshot> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotDeserializationSchema.class);

    @Override
    public ModelSnapshot deserialize(byte[] message) {
        if (message == null) {
            return null;
        }
        try {
            return AvroCodecs.MODEL_SNAPSHOT.decode(message);
        } catch (RecordDecodeException e) {
            LOG.warn(
                    "Skipping a models-topic record that is not a ModelSnapshot: {}",
                    e.getMessage());
            return null;
        }
    }

    @Override
    public boolean isEndOfStream(ModelSnapshot nextElement) {
        return false;
    }

    @Override
    public TypeInformation<ModelSnapshot> getProducedType() {
        return ModelSnapshots.TYPE;
    }
}
