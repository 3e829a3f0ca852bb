/**
 * Single-object encoding of the saltstream Avro records, and their JSON rendering.
 *
 * <p>Every record on a saltstream topic is Avro single-object encoded: the marker {@code 0xC3
 * 0x01}, the 8-byte CRC-64-AVRO fingerprint of the writer schema (little-endian), then the record
 * in Avro binary. {@link io.saltstream.schemas.codec.AvroCodecs} contains one {@link
 * io.saltstream.schemas.codec.AvroCodec} per record type; {@link
 * io.saltstream.schemas.codec.AnyRecordDecoder} reads any of them; {@link
 * io.saltstream.schemas.codec.RecordJson} renders them for people. Bytes that cannot be decoded
 * raise a subclass of {@link io.saltstream.schemas.codec.RecordDecodeException}.
 */
package io.saltstream.schemas.codec;
