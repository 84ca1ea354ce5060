package dev.lossdoctor.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.SweepCodec;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.streams.LossDoctorTopology;
import dev.lossdoctor.streams.RunStatusSerde;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Runs' current statuses from the run-state store (interactive queries): from this instance's
 * store when it holds the run, else from the instance that does, over HTTP
 * ({@code GET /runs/{id}?scope=local} on its advertised {@code application.server}).
 */
final class RunQueries {

    /** The store can't be queried right now (starting, rebalancing) or another instance did not answer. */
    static final class UnavailableException extends RuntimeException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final String LOCAL_SCOPE = "scope=local";

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http;
    private final Duration timeout;
    private final String token;

    /** @param token the bearer token the instances' {@code /runs} require, or null */
    RunQueries(KafkaStreams streams, HostInfo self, Duration timeout, String token) {
        this.streams = streams;
        this.self = self;
        this.timeout = timeout;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Every run, across the instances. */
    List<RunStatus> all() {
        List<RunStatus> runs = new ArrayList<>(local());
        for (StreamsMetadata other : streams.streamsMetadataForStore(LossDoctorTopology.RUN_STATE_STORE)) {
            if (!other.hostInfo().equals(self)) {
                JsonNode array = fetch(other.hostInfo(), "/runs?" + LOCAL_SCOPE).orElseThrow();
                array.forEach(n -> runs.add(RunStatusSerde.fromJson(n)));
            }
        }
        runs.sort(Comparator.comparing(RunStatus::runId));
        return runs;
    }

    /** The runs this instance holds. */
    List<RunStatus> local() {
        RunAnalyzer analyzer = new RunAnalyzer(); // one per query: the stream threads use their own
        List<RunStatus> runs = new ArrayList<>();
        try (KeyValueIterator<String, RunState> all = store().all()) {
            all.forEachRemaining(kv -> {
                if (kv.value != null) {
                    runs.add(shown(analyzer.status(kv.value)));
                }
            });
        } catch (InvalidStateStoreException e) {
            throw new UnavailableException("the run store is not queryable now (" + streams.state() + ")", e);
        }
        runs.sort(Comparator.comparing(RunStatus::runId));
        return runs;
    }

    /** One run, from whichever instance holds it. */
    Optional<RunStatus> one(String runId) {
        KeyQueryMetadata where = streams.queryMetadataForKey(LossDoctorTopology.RUN_STATE_STORE, runId,
                Serdes.String().serializer());
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new UnavailableException("no instance holds the run store now (" + streams.state() + ")", null);
        }
        if (where.activeHost().equals(self)) {
            return localOne(runId);
        }
        return fetch(where.activeHost(), "/runs/" + URLEncoder.encode(runId, StandardCharsets.UTF_8).replace("+", "%20")
                + "?" + LOCAL_SCOPE).map(RunStatusSerde::fromJson);
    }

    /** One run, if this instance holds it. */
    Optional<RunStatus> localOne(String runId) {
        try {
            RunState state = store().get(runId);
            return state == null ? Optional.empty() : Optional.of(shown(new RunAnalyzer().status(state)));
        } catch (InvalidStateStoreException e) {
            throw new UnavailableException("the run store is not queryable now (" + streams.state() + ")", e);
        }
    }

    /** A run's status as it shows: for a run of a sweep, with lagging over it and its place among its siblings. */
    private RunStatus shown(RunStatus own) {
        SweepCodec.Member member = streams.store(StoreQueryParameters.fromNameAndType(LossDoctorTopology.SWEEP_MEMBER_STORE,
                QueryableStoreTypes.<String, SweepCodec.Member>keyValueStore())).get(own.runId());
        return member == null ? own : member.overlay().status(own);
    }

    private ReadOnlyKeyValueStore<String, RunState> store() {
        return streams.store(StoreQueryParameters.fromNameAndType(LossDoctorTopology.RUN_STATE_STORE,
                QueryableStoreTypes.keyValueStore()));
    }

    /** GETs JSON from another instance; empty on 404. */
    private Optional<JsonNode> fetch(HostInfo host, String pathAndQuery) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
            if (token != null) {
                request.header("Authorization", HttpApi.BEARER + token);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new UnavailableException("instance " + host + " answered " + response.statusCode() + " to " + uri, null);
            }
            return Optional.of(Json.MAPPER.readTree(response.body()));
        } catch (IOException e) {
            throw new UnavailableException("instance " + host + " did not answer " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while asking " + host, e);
        }
    }
}
