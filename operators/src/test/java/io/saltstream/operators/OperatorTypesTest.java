package io.saltstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.clip.Clip;
import io.saltstream.operators.clip.ClipFrame;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

class OperatorTypesTest {

    /** Returns a serializer config that fails on any type Flink would hand to Kryo. */
    private static SerializerConfigImpl withoutKryo() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        return config;
    }

    private static <T> T roundTrip(TypeInformation<T> type, T value) throws IOException {
        TypeSerializer<T> serializer = type.createSerializer(withoutKryo());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void pojosUsePojoSerializerWithoutKryo() {
        assertThat(OperatorTypes.RAW_RECORD.createSerializer(withoutKryo()))
                .isInstanceOf(PojoSerializer.class);
        assertThat(OperatorTypes.CLIP.createSerializer(withoutKryo()))
                .isInstanceOf(PojoSerializer.class);
        assertThat(OperatorTypes.CLIP_TENSOR.createSerializer(withoutKryo()))
                .isInstanceOf(PojoSerializer.class);
        assertThat(OperatorTypes.CLIP.toString()).doesNotContain("GenericType");
    }

    @Test
    void avroRecordsUseAvroSerializer() {
        assertThat(TypeInformation.of(Frame.class)).isInstanceOf(AvroTypeInfo.class);
        assertThat(OperatorTypes.FRAME.createSerializer(withoutKryo()))
                .isInstanceOf(AvroSerializer.class);
        assertThat(OperatorTypes.DEAD_LETTER.createSerializer(withoutKryo()))
                .isInstanceOf(AvroSerializer.class);
        assertThat(DeadLetters.OUTPUT_TAG.getTypeInfo()).isEqualTo(OperatorTypes.DEAD_LETTER);
    }

    @Test
    void rawRecordRoundTrips() throws IOException {
        RawRecord record = new RawRecord("frames", 2, 17, 99, new byte[] {1}, new byte[] {2, 3});
        RawRecord tombstone = new RawRecord("frames", 0, 0, 0, null, null);

        assertThat(roundTrip(OperatorTypes.RAW_RECORD, record)).isEqualTo(record);
        assertThat(roundTrip(OperatorTypes.RAW_RECORD, tombstone)).isEqualTo(tombstone);
    }

    @Test
    void clipRoundTrips() throws IOException {
        List<ClipFrame> frames = new ArrayList<>();
        frames.add(new ClipFrame(4, 40, FrameEncoding.RAW_U8, 1, 1, 1, new byte[] {9}));
        frames.add(new ClipFrame(5, 50, FrameEncoding.PNG, 3, 2, 3, new byte[] {1, 2}));
        Clip clip = new Clip("cam", 4, 5, 50, 7, frames);
        Clip unlabelled = new Clip("cam", 4, 5, 50, null, frames);

        assertThat(roundTrip(OperatorTypes.CLIP, clip)).isEqualTo(clip);
        assertThat(roundTrip(OperatorTypes.CLIP, unlabelled)).isEqualTo(unlabelled);
    }

    @Test
    void clipTensorRoundTrips() throws IOException {
        ClipTensor tensor =
                new ClipTensor("cam", 0, 1, 10, null, new int[] {1, 2, 1, 1}, new float[] {1, -1});

        assertThat(roundTrip(OperatorTypes.CLIP_TENSOR, tensor)).isEqualTo(tensor);
    }

    @Test
    void avroRecordsRoundTrip() throws IOException {
        Frame frame = TestFrames.frame("cam", 3, 123);
        frame.setLabel(2);
        DeadLetter letter =
                DeadLetters.defaults().forFrame(frame, "late frame", "late-frame", 1000);

        assertThat(roundTrip(OperatorTypes.FRAME, frame)).isEqualTo(frame);
        DeadLetter copy = roundTrip(OperatorTypes.DEAD_LETTER, letter);
        assertThat(copy).isEqualTo(letter);
        assertThat(copy.getEventTime()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(copy.getPayload()).isEqualTo(ByteBuffer.wrap(TestFrames.encode(frame)));
    }
}
