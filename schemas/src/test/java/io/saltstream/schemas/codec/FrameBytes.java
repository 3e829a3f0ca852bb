package io.saltstream.schemas.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes a single-object encoded Frame field by field, so a test can replace one field with corrupt
 * bytes. The field order and types follow Frame.avsc.
 */
final class FrameBytes {
    /** Writes one field's encoding. */
    interface FieldWriter {
        void write(BinaryEncoder out) throws IOException;
    }

    private FieldWriter encoding = out -> out.writeEnum(2);
    private FieldWriter data = out -> out.writeBytes(new byte[] {1, 2, 3, 4});
    private FieldWriter label = out -> out.writeIndex(0);

    private FrameBytes() {}

    /** Starts from a valid 2x2 grey RAW_U8 frame without label and source. */
    static FrameBytes valid() {
        return new FrameBytes();
    }

    FrameBytes encoding(FieldWriter writer) {
        this.encoding = writer;
        return this;
    }

    FrameBytes data(FieldWriter writer) {
        this.data = writer;
        return this;
    }

    FrameBytes label(FieldWriter writer) {
        this.label = writer;
        return this;
    }

    byte[] build() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(header(AvroCodecs.FRAME.getFingerprint()));
            BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
            out.writeString("camera-1");
            out.writeLong(7);
            out.writeLong(1_715_934_612_345L);
            out.writeInt(2);
            out.writeInt(2);
            out.writeInt(1);
            encoding.write(out);
            data.write(out);
            label.write(out);
            out.writeIndex(0);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the single-object header: the marker, then the fingerprint little-endian. */
    static byte[] header(long fingerprint) {
        return ByteBuffer.allocate(SingleObjectFormat.HEADER_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3)
                .put((byte) 0x01)
                .putLong(fingerprint)
                .array();
    }
}
