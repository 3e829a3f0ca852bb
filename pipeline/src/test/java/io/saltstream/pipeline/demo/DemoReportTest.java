package io.saltstream.pipeline.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saltstream.pipeline.fit.EncoderScores;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoReportTest {

    private static DemoReport report() {
        return new DemoReport(
                "Fashion-MNIST training images 0..99",
                "image-28",
                100,
                100,
                1.5,
                30.25,
                4,
                40,
                false,
                List.of(
                        new DemoReport.StageSummary("TEACHER", 3, 3, 0.9, 0.7, 120),
                        new DemoReport.StageSummary("STUDENT", 7, 10, 0.8, 0.5, 140)),
                12.5,
                null,
                100,
                100,
                2,
                3,
                "demo/student/10",
                List.of(new EncoderScores("raw pixels", 784, 0.8123, null, 30.0, null, 1, 2)));
    }

    @Test
    void tableListsStagesAndAccuracy() {
        String table = report().toTable();

        assertThat(table)
                .contains("stage teacher", "3 steps (to step 3), loss 0.9000 -> 0.7000")
                .contains("stage student", "7 steps (to step 10)")
                .containsPattern("RankMe \\(held-out clips\\) +12\\.50")
                .containsPattern("LiDAR \\(held-out clips\\) +n/a")
                .contains("100 (100 distinct clip ids, 100 clips expected)")
                .contains("kNN accuracy, raw pixels", "81.23 %")
                .contains("3, final demo/student/10");
    }

    @Test
    void jsonHasEveryFigure() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report().toJson());

        assertThat(json.get("embeddingsWritten").asLong()).isEqualTo(100);
        assertThat(json.get("stages").get(1).get("finalLoss").asDouble()).isEqualTo(0.5);
        assertThat(json.get("evaluation").get(0).get("knnAccuracy").asDouble()).isEqualTo(0.8123);
        assertThat(json.has("lastLidar")).isFalse();
    }
}
