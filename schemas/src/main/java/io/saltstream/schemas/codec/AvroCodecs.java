package io.saltstream.schemas.codec;

import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.TrainingMetrics;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** One shared, thread-safe {@link AvroCodec} per saltstream record written to Kafka. */
public final class AvroCodecs {
    public static final AvroCodec<Frame> FRAME = AvroCodec.of(Frame.class);
    public static final AvroCodec<Embedding> EMBEDDING = AvroCodec.of(Embedding.class);
    public static final AvroCodec<TrainingMetrics> TRAINING_METRICS =
            AvroCodec.of(TrainingMetrics.class);
    public static final AvroCodec<ModelSnapshot> MODEL_SNAPSHOT = AvroCodec.of(ModelSnapshot.class);
    public static final AvroCodec<DeadLetter> DEAD_LETTER = AvroCodec.of(DeadLetter.class);

    /** The five codecs above, in this order. */
    public static final List<AvroCodec<? extends SpecificRecord>> ALL =
            List.of(FRAME, EMBEDDING, TRAINING_METRICS, MODEL_SNAPSHOT, DEAD_LETTER);

    private AvroCodecs() {}
}
