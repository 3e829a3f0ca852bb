package io.saltstream.operators;

import io.saltstream.operators.clip.Clip;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Frame;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Flink type information of the records that flow between the operators, stated explicitly so no
 * stream falls back to Kryo.
 *
 * <p>Avro records use flink-avro's {@link AvroTypeInfo}, whose serializer writes Avro binary with
 * the generated class's own data model (logical types such as {@code timestamp-millis} included).
 * The operator POJOs use Flink's POJO serializer.
 */
public final class OperatorTypes {

    /** Type of {@link RawRecord}: a POJO. */
    public static final PojoTypeInfo<RawRecord> RAW_RECORD = pojo(RawRecord.class);

    /** Type of the Avro {@link Frame}. */
    public static final AvroTypeInfo<Frame> FRAME = new AvroTypeInfo<>(Frame.class);

    /** Type of the Avro {@link DeadLetter}. */
    public static final AvroTypeInfo<DeadLetter> DEAD_LETTER = new AvroTypeInfo<>(DeadLetter.class);

    /** Type of {@link Clip}: a POJO with a list of POJO frames. */
    public static final PojoTypeInfo<Clip> CLIP = pojo(Clip.class);

    /** Type of {@link ClipTensor}: a POJO. */
    public static final PojoTypeInfo<ClipTensor> CLIP_TENSOR = pojo(ClipTensor.class);

    private OperatorTypes() {}

    @SuppressWarnings("unchecked")
    private static <T> PojoTypeInfo<T> pojo(Class<T> type) {
        TypeInformation<T> info = TypeInformation.of(type);
        if (!(info instanceof PojoTypeInfo)) {
            throw new IllegalStateException(
                    "Flink does not treat "
                            + type.getName()
                            + " as a POJO but as "
                            + info
                            + "; give it a public no-argument constructor and public fields");
        }
        return (PojoTypeInfo<T>) info;
    }
}
