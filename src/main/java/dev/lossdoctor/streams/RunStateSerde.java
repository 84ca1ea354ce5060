package dev.lossdoctor.streams;

import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStateCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's analysis state in the state store, in {@link RunStateCodec}'s compact form.
 *
 * <p>Bytes that don't decode (a corrupt changelog record, or a format written by a newer version
 * before a rollback) are logged as an error and read as "no state": the run starts fresh, its
 * next event overwrites them, and every other run carries on. Failing instead would stop the whole
 * instance in a restart loop over one run's history, which costs far more than re-warming one run.
 */
public final class RunStateSerde extends BaseSerde<RunState> {

    private static final Logger log = LoggerFactory.getLogger(RunStateSerde.class);

    public RunStateSerde() {
        super("run state");
    }

    @Override
    byte[] write(RunState state) {
        return RunStateCodec.encode(state);
    }

    @Override
    RunState read(byte[] bytes) {
        try {
            return RunStateCodec.decode(bytes);
        } catch (IllegalArgumentException e) {
            log.error("Discarding a run state of {} bytes that does not decode ({}); that run starts fresh",
                    bytes.length, e.getMessage());
            return null;
        }
    }
}
