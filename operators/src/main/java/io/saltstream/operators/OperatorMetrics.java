package io.saltstream.operators;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;

/** Names shared by the metrics of the saltstream operators. */
public final class OperatorMetrics {

    /** Metric group under each operator's group that contains every saltstream metric. */
    public static final String GROUP = "saltstream";

    /** Counter of records sent to the dead-letter side output. */
    public static final String DEAD_LETTERS = "deadLetters";

    private OperatorMetrics() {}

    /**
     * Returns the {@value #GROUP} metric group of an operator.
     *
     * @param context the runtime context of the operator
     * @return the group to register counters and gauges in
     */
    public static MetricGroup group(RuntimeContext context) {
        return context.getMetricGroup().addGroup(GROUP);
    }
}
