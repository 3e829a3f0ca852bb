package io.saltstream.operators.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class SnapshotStorageTest {

    @Test
    void defaultsKeepFourMebibytesInline() {
        SnapshotStorage storage = SnapshotStorage.defaults();

        assertThat(storage.getInlineLimitBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(storage.getDirectory()).isNull();
        assertThat(storage.isInline(4L * 1024 * 1024)).isTrue();
        assertThat(storage.isInline(4L * 1024 * 1024 + 1)).isFalse();
    }

    @Test
    void settersAreApplied() {
        SnapshotStorage storage =
                SnapshotStorage.builder()
                        .optInlineLimitBytes(0)
                        .optDirectory("s3://models/snapshots")
                        .build();

        assertThat(storage.getInlineLimitBytes()).isZero();
        assertThat(storage.getDirectory()).isEqualTo("s3://models/snapshots");
        assertThat(storage.isInline(0)).isTrue();
        assertThat(storage.isInline(1)).isFalse();
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        SnapshotStorage storage =
                SnapshotStorage.builder()
                        .optInlineLimitBytes(1000)
                        .optDirectory("file:///var/snapshots")
                        .build();

        SnapshotStorage copy =
                InstantiationUtil.deserializeObject(
                        InstantiationUtil.serializeObject(storage), getClass().getClassLoader());

        assertThat(copy).isEqualTo(storage);
    }

    @Test
    void negativeLimitIsRejected() {
        assertThatThrownBy(() -> SnapshotStorage.builder().optInlineLimitBytes(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot.inline-limit is -1 bytes but must be between 0");
    }

    @Test
    void hugeLimitIsRejected() {
        long tooLarge = SnapshotStorage.MAX_INLINE_LIMIT_BYTES + 1;

        assertThatThrownBy(() -> SnapshotStorage.builder().optInlineLimitBytes(tooLarge).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot.inline-limit is " + tooLarge + " bytes");
    }

    @Test
    void blankDirectoryIsRejected() {
        assertThatThrownBy(() -> SnapshotStorage.builder().optDirectory(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot.dir is blank");
    }

    @Test
    void invalidDirectoryIsRejected() {
        assertThatThrownBy(() -> SnapshotStorage.builder().optDirectory("s3:").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot.dir 's3:' is not a valid path");
    }
}
