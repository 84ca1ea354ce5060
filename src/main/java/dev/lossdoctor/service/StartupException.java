package dev.lossdoctor.service;

/** The service could not start, for a reason a person can fix (Kafka unreachable, a port in use): the message says which. */
public final class StartupException extends RuntimeException {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
