package io.saltstream.pipeline.io;

import io.saltstream.pipeline.config.KafkaOptions;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ReadableConfig;

/** Copies the entries of {@code kafka.properties} that a Kafka client knows into its properties. */
final class KafkaClientProperties {

    private KafkaClientProperties() {}

    /**
     * Returns the {@code kafka.properties} entries whose name is in {@code clientConfigNames}, such
     * as {@code ConsumerConfig.configNames()}; the others belong to the other client kind.
     */
    static Properties extra(ReadableConfig config, Set<String> clientConfigNames) {
        Properties properties = new Properties();
        Map<String, String> extra = config.getOptional(KafkaOptions.PROPERTIES).orElse(Map.of());
        for (Map.Entry<String, String> entry : extra.entrySet()) {
            if (clientConfigNames.contains(entry.getKey())) {
                properties.setProperty(entry.getKey(), entry.getValue());
            }
        }
        return properties;
    }
}
