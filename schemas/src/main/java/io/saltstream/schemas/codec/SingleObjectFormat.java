package io.saltstream.schemas.codec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The header of Avro's single-object encoding: the marker {@code 0xC3 0x01}, then the 8-byte
 * CRC-64-AVRO fingerprint of the writer schema, little-endian, then the record in Avro binary.
 */
final class SingleObjectFormat {
    static final byte MARKER_FIRST = (byte) 0xC3;
    static final byte MARKER_SECOND = (byte) 0x01;
    static final int FINGERPRINT_LENGTH = 8;
    static final int HEADER_LENGTH = 2 + FINGERPRINT_LENGTH;

    /** Number of leading bytes that messages about a bad header show. */
    private static final int MAX_SHOWN_BYTES = HEADER_LENGTH;

    private SingleObjectFormat() {}

    /**
     * Checks the marker and returns the writer schema's fingerprint.
     *
     * @throws NotSingleObjectEncodedException if {@code bytes} is null, shorter than the header or
     *     does not start with the marker
     */
    static long readFingerprint(byte[] bytes, List<String> expectedTypes) {
        if (bytes == null) {
            throw notSingleObject(
                    expectedTypes, "found null (no value, for example a Kafka tombstone)");
        }
        boolean markerFound =
                bytes.length >= 2 && bytes[0] == MARKER_FIRST && bytes[1] == MARKER_SECOND;
        if (bytes.length < HEADER_LENGTH || !markerFound) {
            throw notSingleObject(expectedTypes, "found " + describeLeadingBytes(bytes));
        }

        long fingerprint = 0;
        for (int i = FINGERPRINT_LENGTH - 1; i >= 0; i--) {
            fingerprint = (fingerprint << 8) | (bytes[2 + i] & 0xFF);
        }
        return fingerprint;
    }

    /**
     * Creates the exception for a fingerprint that is not among {@code knownFingerprints}. When the
     * fingerprint is the schema of another saltstream record, the message names that record,
     * because that usually means the reader is pointed at the wrong topic.
     */
    static UnknownSchemaException unknownSchema(
            long fingerprint, List<String> expectedTypes, Map<String, Long> knownFingerprints) {
        StringJoiner known = new StringJoiner(", ");
        knownFingerprints.forEach((type, known64) -> known.add(type + " " + toHex(known64)));

        StringBuilder message =
                new StringBuilder()
                        .append("Cannot decode ")
                        .append(describeExpected(expectedTypes))
                        .append(": unknown schema fingerprint ")
                        .append(toHex(fingerprint))
                        .append(" (CRC-64-AVRO of the writer schema). This reader accepts ")
                        .append(known)
                        .append(". ");
        Optional<String> otherType = saltstreamRecordName(fingerprint);
        if (otherType.isPresent()) {
            message.append("The fingerprint is the schema of saltstream's ")
                    .append(otherType.get())
                    .append(" record, so the bytes contain ")
                    .append(otherType.get())
                    .append(" data: check that the topic or file contains ")
                    .append(String.join(" or ", expectedTypes))
                    .append(" records.");
        } else {
            message.append(
                    "The writer used a schema this reader does not know: check that the topic"
                            + " contains saltstream records, or upgrade the reader if the writer"
                            + " uses a newer schema version.");
        }
        return new UnknownSchemaException(message.toString(), fingerprint, expectedTypes);
    }

    /**
     * Returns the simple name of the saltstream record whose current schema has the fingerprint.
     */
    private static Optional<String> saltstreamRecordName(long fingerprint) {
        return AvroCodecs.ALL.stream()
                .filter(codec -> codec.getFingerprint() == fingerprint)
                .map(codec -> codec.getSchema().getName())
                .findFirst();
    }

    /** Returns "Frame record" for one type, or "record of type Frame, Embedding or ..." . */
    static String describeExpected(List<String> expectedTypes) {
        if (expectedTypes.size() == 1) {
            return expectedTypes.get(0) + " record";
        }
        int last = expectedTypes.size() - 1;
        return "record of type "
                + String.join(", ", expectedTypes.subList(0, last))
                + " or "
                + expectedTypes.get(last);
    }

    /** Formats a fingerprint as 16 lower-case hex digits. */
    static String toHex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    private static NotSingleObjectEncodedException notSingleObject(
            List<String> expectedTypes, String found) {
        String message =
                "Cannot decode "
                        + describeExpected(expectedTypes)
                        + ": the bytes are not Avro single-object encoded. Expected the marker"
                        + " 0xC3 0x01 and an 8-byte schema fingerprint before the record ("
                        + HEADER_LENGTH
                        + " bytes at least), but "
                        + found
                        + ". The producer must write single-object encoding, for example with"
                        + " saltstream's AvroCodec; plain Avro binary and JSON are not accepted.";
        return new NotSingleObjectEncodedException(message, expectedTypes);
    }

    private static String describeLeadingBytes(byte[] bytes) {
        if (bytes.length == 0) {
            return "0 bytes";
        }
        StringJoiner hexBytes = new StringJoiner(" ");
        for (int i = 0; i < Math.min(bytes.length, MAX_SHOWN_BYTES); i++) {
            hexBytes.add(String.format("0x%02X", bytes[i]));
        }
        String count = bytes.length == 1 ? "1 byte" : bytes.length + " bytes";
        return bytes.length <= MAX_SHOWN_BYTES
                ? count + ": " + hexBytes
                : count + " starting with " + hexBytes;
    }
}
