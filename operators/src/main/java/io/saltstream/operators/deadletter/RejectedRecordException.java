package io.saltstream.operators.deadletter;

/**
 * Thrown inside an operator when a record cannot be used. The operator catches it and turns it into
 * a dead letter; it never leaves the operator. It carries no stack trace because the reason
 * explains the failure.
 */
public final class RejectedRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String errorClass;

    /**
     * Creates the exception.
     *
     * @param reason why the record was rejected, in words
     * @param errorClass class name of the underlying exception, or the name of the rule that failed
     */
    public RejectedRecordException(String reason, String errorClass) {
        super(reason, null, false, false);
        this.errorClass = errorClass;
    }

    /** Returns the class name of the underlying exception, or the name of the failed rule. */
    public String getErrorClass() {
        return errorClass;
    }
}
