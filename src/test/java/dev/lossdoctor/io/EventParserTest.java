package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunConfig;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** DESIGN.md section 2, the input side: what is read, how, and why a record is turned away. */
class EventParserTest {

    private static final Instant RECORD_TIME = Instant.parse("2026-11-26T09:00:00Z");
    private final EventParser parser = new EventParser();

    private TrainingEvent accept(String key, String json) {
        ParseResult r = parser.parse(key, json.getBytes(StandardCharsets.UTF_8), RECORD_TIME);
        assertThat(r).as("parse of %s", json).isInstanceOf(ParseResult.Accepted.class);
        return ((ParseResult.Accepted) r).event();
    }

    private TrainingEvent accept(String json) {
        return accept(null, json);
    }

    private MetricsReported metrics(String json) {
        TrainingEvent e = accept(json);
        assertThat(e).isInstanceOf(MetricsReported.class);
        return (MetricsReported) e;
    }

    private String reject(String key, byte[] value) {
        ParseResult r = parser.parse(key, value, RECORD_TIME);
        assertThat(r).as("parse of %s", value == null ? null : new String(value, StandardCharsets.UTF_8)).isInstanceOf(ParseResult.Rejected.class);
        String reason = ((ParseResult.Rejected) r).reason();
        assertThat(reason).isNotBlank().doesNotContain("\n").doesNotContain("\r");
        assertThat(reason.length()).as("a reason is one short line").isLessThan(300);
        return reason;
    }

    private String reject(String json) {
        return reject(null, json.getBytes(StandardCharsets.UTF_8));
    }

    // =====================================================================================
    @Nested
    class TheThreeEventTypes {

        @Test
        void shouldReadAMetricsEvent() {
            MetricsReported m = metrics("""
                    {"type":"metrics","run_id":"r1","epoch":12,"step":4800,"timestamp":"2026-11-26T10:12:00Z",
                     "metrics":{"train_loss":0.51,"val_loss":0.63,"train_accuracy":0.83,"val_accuracy":0.79,"lr":0.001}}""");

            assertThat(m.runId()).isEqualTo("r1");
            assertThat(m.epoch()).isEqualTo(12L);
            assertThat(m.step()).isEqualTo(4800L);
            assertThat(m.timestamp()).isEqualTo(Instant.parse("2026-11-26T10:12:00Z"));
            assertThat(m.metrics()).containsOnly(entry("train_loss", 0.51), entry("val_loss", 0.63),
                    entry("train_accuracy", 0.83), entry("val_accuracy", 0.79), entry("lr", 0.001));
        }

        @Test
        void shouldReadARunStartedEventWithItsConfig() {
            TrainingEvent e = accept("""
                    {"type":"run_started","run_id":"r1","timestamp":"2026-11-26T10:00:00Z",
                     "config":{"optimizer":"adam","lr":0.001,"batch_size":32,"task":"classification",
                               "loss":"cross_entropy","output_activation":"softmax","hidden_activation":"relu",
                               "max_epochs":100,"model":"resnet18","dataset":"cifar10"}}""");

            assertThat(e).isInstanceOf(RunStarted.class);
            RunStarted s = (RunStarted) e;
            assertThat(s.runId()).isEqualTo("r1");
            assertThat(s.timestamp()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
            assertThat(s.config()).isEqualTo(new RunConfig("adam", 0.001, 32, "classification", "cross_entropy", "softmax",
                    "relu", 100, null, "resnet18", "cifar10"));
        }

        @Test
        void shouldReadTheSweepARunBelongsTo() {
            assertThat(((RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":{\"sweep_id\":\"s7\"}}"))
                    .sweepId()).isEqualTo("s7");
            assertThat(((RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":{\"sweep_id\":42}}"))
                    .sweepId()).isEqualTo("42");
            assertThat(((RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":{\"sweep_id\":\" \"}}"))
                    .sweepId()).isNull();
            assertThat(((RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":{\"sweep_id\":[1]}}"))
                    .sweepId()).isNull();
            assertThat(((RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\"}")).sweepId()).isNull();
        }

        @Test
        void shouldReadARunStartedEventWithoutConfig() {
            RunStarted s = (RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\"}");
            assertThat(s.config()).isEqualTo(RunConfig.EMPTY);
            assertThat(s.timestamp()).as("the record's time when the event has none").isEqualTo(RECORD_TIME);
        }

        @Test
        void shouldReadWhereAResumedRunWentBackTo() {
            RunStarted s = (RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"resumed_from_epoch\":12,"
                    + "\"resumed_from_step\":4800,\"config\":{\"lr\":0.0001}}");
            assertThat(s.resumedFromEpoch()).isEqualTo(12.0);
            assertThat(s.resumedFromStep()).isEqualTo(4800L);
            assertThat(s.resumed()).isTrue();
            assertThat(s.config().lr()).isEqualTo(0.0001);

            RunStarted hf = (RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"resumed_from_epoch\":2.5}");
            assertThat(hf.resumedFromEpoch()).as("a fractional epoch, as reported").isEqualTo(2.5);
            assertThat(hf.resumedFromStep()).isNull();
            RunStarted bySteps = (RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"resumed_from_step\":0}");
            assertThat(bySteps.resumedFromStep()).isZero();
            assertThat(bySteps.resumed()).isTrue();

            RunStarted plain = (RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"resumed_from_epoch\":null}");
            assertThat(plain.resumed()).as("null is absent: a plain start").isFalse();
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "\"resumed_from_epoch\":-1       | resumed_from_epoch is not a number >= 0 (below 2^53): -1",
                "\"resumed_from_epoch\":\"12\"   | resumed_from_epoch is not a number >= 0 (below 2^53): \"12\"",
                "\"resumed_from_epoch\":1e30     | resumed_from_epoch is not a number >= 0 (below 2^53): 1.0E30",
                "\"resumed_from_step\":2.5       | resumed_from_step is not a non-negative whole number: 2.5",
                "\"resumed_from_step\":-3        | resumed_from_step is not a non-negative whole number: -3",
                "\"resumed_from_step\":[1]       | resumed_from_step is not a non-negative whole number: [1]"})
        void shouldRejectAResumeOfTheWrongTypeSayingWhy(String field, String reason) {
            assertThat(reject("{\"type\":\"run_started\",\"run_id\":\"r1\"," + field + "}")).isEqualTo(reason);
        }

        @Test
        void shouldReadConfigFieldsLenientlyAndTheirAliases() {
            RunStarted s = (RunStarted) accept("""
                    {"type":"run_started","run_id":"r1","config":{"learning_rate":"0.01","bs":64.0,"activation":"tanh",
                     "n_classes":10,"epochs":"many","loss_function":"mse","optimizer":7}}""");

            RunConfig c = s.config();
            assertThat(c.lr()).isEqualTo(0.01);
            assertThat(c.batchSize()).isEqualTo(64);
            assertThat(c.hiddenActivation()).isEqualTo("tanh");
            assertThat(c.numClasses()).isEqualTo(10);
            assertThat(c.maxEpochs()).as("a field of the wrong type is ignored").isNull();
            assertThat(c.loss()).isEqualTo("mse");
            assertThat(c.optimizer()).isEqualTo("7");
        }

        @Test
        void shouldClipAnOverlongConfigString() {
            RunStarted s = (RunStarted) accept("{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":{\"model\":\""
                    + "m".repeat(5000) + "\"}}");
            assertThat(s.config().model().length()).isLessThan(300).isGreaterThanOrEqualTo(256);
        }

        @Test
        void shouldReadARunFinishedEvent() {
            TrainingEvent e = accept("{\"type\":\"run_finished\",\"run_id\":\"r1\",\"epoch\":40,\"status\":\"completed\"}");

            assertThat(e).isInstanceOf(RunFinished.class);
            RunFinished f = (RunFinished) e;
            assertThat(f.runId()).isEqualTo("r1");
            assertThat(f.epoch()).isEqualTo(40L);
            assertThat(f.status()).isEqualTo("completed");
            assertThat(f.timestamp()).isEqualTo(RECORD_TIME);
        }

        @Test
        void shouldReadAFractionalEpochWithAStepAsTheEpochItFallsIn() {
            // Hugging Face's Trainer logs epoch 0.25 after a quarter of the first epoch
            MetricsReported m = metrics("""
                    {"run_id":"r1","epoch":0.25,"step":500,"loss":0.71,"learning_rate":4.0e-5}""");

            assertThat(m.epoch()).isZero();
            assertThat(m.fractionalEpoch()).as("kept as reported, for charts and forwarding").isEqualTo(0.25);
            assertThat(m.step()).isEqualTo(500L);
            assertThat(m.metrics()).containsOnly(entry("train_loss", 0.71), entry("lr", 4.0e-5));
            assertThat(metrics("{\"run_id\":\"r1\",\"epoch\":2.999,\"step\":5999,\"metrics\":{\"val_loss\":1}}").epoch())
                    .isEqualTo(2L);
            assertThat(metrics("{\"run_id\":\"r1\",\"epoch\":3.0,\"step\":6000,\"metrics\":{\"val_loss\":1}}").epoch())
                    .as("a whole epoch written as a float").isEqualTo(3L);
            assertThat(metrics("{\"run_id\":\"r1\",\"epoch\":3.0,\"step\":6000,\"loss\":1}").fractionalEpoch()).isNull();
            assertThat(metrics("{\"run_id\":\"r1\",\"epoch\":3,\"loss\":1}").fractionalEpoch()).isNull();
        }

        @Test
        void shouldRejectAFractionalEpochWithoutAStepSayingWhy() {
            String reason = reject("{\"run_id\":\"r1\",\"epoch\":0.25,\"loss\":0.71}");

            assertThat(reason).isEqualTo("epoch 0.25 is fractional and there is no step to order it by within its epoch:"
                    + " send the step too");
            assertThat(reject("{\"run_id\":\"r1\",\"epoch\":0.25,\"step\":null,\"loss\":0.71}")).isEqualTo(reason);
        }

        @Test
        void shouldReadTheFractionalEpochARunFinishedAt() {
            // a run's end is no point to order: its epoch needs no step
            RunFinished f = (RunFinished) accept("{\"type\":\"run_finished\",\"run_id\":\"r1\",\"epoch\":2.974}");
            assertThat(f.epoch()).isEqualTo(2L);
        }

        @Test
        void shouldTreatAnEventWithoutTypeAsMetrics() {
            MetricsReported m = metrics("{\"run_id\":\"r1\",\"step\":7,\"metrics\":{\"train_loss\":1.5}}");
            assertThat(m.epoch()).isNull();
            assertThat(m.step()).isEqualTo(7L);
            assertThat(m.metrics()).containsOnly(entry("train_loss", 1.5));
        }

        @Test
        void shouldReadATypeOfNullAsMetrics() {
            assertThat(accept("{\"type\":null,\"run_id\":\"r1\",\"epoch\":0,\"loss\":1}")).isInstanceOf(MetricsReported.class);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "\"2026-11-26T10:12:00Z\"      | 2026-11-26T10:12:00Z",
                "\"2026-11-26T11:12:00+01:00\" | 2026-11-26T10:12:00Z",
                "1795687920                    | 2026-11-26T10:12:00Z",
                "1795687920000                 | 2026-11-26T10:12:00Z"})
        void shouldReadTimestampsAsIsoOrEpochSecondsOrMillis(String timestamp, String expected) {
            MetricsReported m = metrics("{\"run_id\":\"r1\",\"epoch\":1,\"loss\":1,\"timestamp\":" + timestamp + "}");
            assertThat(m.timestamp()).isEqualTo(Instant.parse(expected));
        }
    }

    // =====================================================================================
    @Nested
    class KerasFlatFormAndAliases {

        @Test
        void shouldReadTheFlatFormOfKerasLogs() {
            MetricsReported m = metrics("""
                    {"run_id":"r1","epoch":12,"loss":0.51,"val_loss":0.63,"accuracy":0.83,"val_accuracy":0.79}""");

            assertThat(m.epoch()).isEqualTo(12L);
            assertThat(m.metrics()).containsOnly(entry("train_loss", 0.51), entry("val_loss", 0.63),
                    entry("train_accuracy", 0.83), entry("val_accuracy", 0.79));
        }

        @Test
        void shouldKeepTheEnvelopeOutOfTheMetricsOfTheFlatForm() {
            MetricsReported m = metrics("""
                    {"type":"metrics","run_id":"r1","epoch":3,"step":300,"timestamp":"2026-11-26T10:12:00Z","loss":0.5}""");
            assertThat(m.metrics()).containsOnlyKeys("train_loss");
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({"loss, train_loss", "acc, train_accuracy", "accuracy, train_accuracy", "val_acc, val_accuracy",
                "learning_rate, lr", "LOSS, train_loss", "Val_Acc, val_accuracy", "val_loss, val_loss",
                "train_loss, train_loss", "val_auc, val_auc"})
        void shouldMapKerasNamesToCanonicalOnes(String name, String canonical) {
            assertThat(metrics("{\"run_id\":\"r1\",\"epoch\":1,\"" + name + "\":0.25}").metrics())
                    .as("flat").containsOnly(entry(canonical, 0.25));
            assertThat(metrics("{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{\"" + name + "\":0.25}}").metrics())
                    .as("nested").containsOnly(entry(canonical, 0.25));
        }
    }

    // =====================================================================================
    @Nested
    class NonFiniteValues {

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "NaN          | NaN",
                "Infinity     | Infinity",
                "-Infinity    | -Infinity",
                "\"NaN\"      | NaN",
                "\"nan\"      | NaN",
                "\"Infinity\" | Infinity",
                "\"inf\"      | Infinity",
                "\"-inf\"     | -Infinity",
                "\"-Infinity\"| -Infinity",
                "null         | NaN",
                "1e400        | Infinity",
                "\"0.25\"     | 0.25"})
        void shouldReadNonFiniteValuesAsBareTokensStringsOrNull(String token, double expected) {
            for (String json : new String[] {
                    "{\"run_id\":\"r1\",\"epoch\":5,\"loss\":" + token + ",\"val_loss\":0.5}",
                    "{\"run_id\":\"r1\",\"epoch\":5,\"metrics\":{\"train_loss\":" + token + ",\"val_loss\":0.5}}"}) {
                MetricsReported m = metrics(json);
                assertThat(m.metrics()).containsEntry("val_loss", 0.5);
                assertThat(m.metrics().get("train_loss")).as(json).isEqualTo(Double.valueOf(expected));
            }
        }
    }

    // =====================================================================================
    @Nested
    class RunIds {

        @Test
        void shouldTakeTheRecordKeyWhenTheValueHasNoRunId() {
            assertThat(accept("key-run", "{\"epoch\":1,\"loss\":1}").runId()).isEqualTo("key-run");
        }

        @Test
        void shouldAcceptAKeyThatAgreesWithTheRunId() {
            assertThat(accept("r1", "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":1}").runId()).isEqualTo("r1");
        }

        @Test
        void shouldRejectAKeyThatDisagreesWithTheRunId() {
            String reason = reject("r1", "{\"run_id\":\"r2\",\"epoch\":1,\"loss\":1}".getBytes(StandardCharsets.UTF_8));
            assertThat(reason).contains("r1").contains("r2").contains("disagree");
        }

        @Test
        void shouldAcceptARunIdOfExactly256Characters() {
            String id = "r".repeat(EventParser.MAX_RUN_ID_LENGTH);
            assertThat(accept("{\"run_id\":\"" + id + "\",\"epoch\":1,\"loss\":1}").runId()).isEqualTo(id);
        }

        @Test
        void shouldAcceptANonAsciiRunId() {
            assertThat(accept("{\"run_id\":\"実験-42 ✓\",\"epoch\":1,\"loss\":1}").runId()).isEqualTo("実験-42 ✓");
        }
    }

    // =====================================================================================
    @Nested
    class Rejections {

        @Test
        void shouldRejectWhatIsNotJson() {
            assertThat(reject("{\"run_id\":\"r1\",\"epoch\":1,")).startsWith("not JSON");
            assertThat(reject("epoch,loss\n1,0.5")).startsWith("not JSON");
            assertThat(reject(null, new byte[] {(byte) 0xC3, (byte) 0x28, 0x7B})).startsWith("not JSON");
        }

        @Test
        void shouldRejectAValueWithSomethingAfterItsObject() {
            assertThat(reject("{\"run_id\":\"r1\",\"epoch\":1,\"loss\":0.5}}}{")).startsWith("not JSON");
            assertThat(reject("{\"run_id\":\"r1\",\"epoch\":1,\"loss\":0.5} {\"run_id\":\"r2\"}")).startsWith("not JSON");
        }

        @Test
        void shouldRejectAnEmptyValue() {
            assertThat(reject(null, new byte[0])).contains("empty");
            assertThat(reject(null, null)).contains("empty");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[1,2,3]", "42", "\"run\"", "null", "true"})
        void shouldRejectJsonThatIsNotAnObject(String json) {
            assertThat(reject(json)).isEqualTo("not a JSON object");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"epoch\":1,\"loss\":1}", "{\"run_id\":null,\"epoch\":1,\"loss\":1}",
                "{\"run_id\":\"\",\"epoch\":1,\"loss\":1}", "{\"run_id\":\"   \",\"epoch\":1,\"loss\":1}"})
        void shouldRejectAnEventWithoutRunId(String json) {
            assertThat(reject(json)).contains("no run id");
        }

        @Test
        void shouldRejectARunIdThatIsNotAString() {
            assertThat(reject("{\"run_id\":42,\"epoch\":1,\"loss\":1}")).contains("run_id is not a string");
        }

        @Test
        void shouldRejectARunIdOver256Characters() {
            String id = "r".repeat(EventParser.MAX_RUN_ID_LENGTH + 1);
            assertThat(reject("{\"run_id\":\"" + id + "\",\"epoch\":1,\"loss\":1}")).contains("257").contains("256");
            assertThat(reject(id, "{\"epoch\":1,\"loss\":1}".getBytes(StandardCharsets.UTF_8))).contains("257");
        }

        @ParameterizedTest
        @ValueSource(strings = {"run\\n1", "run\\t1", "run\\u00001", "run\\u007f", "\\u0085run"})
        void shouldRejectControlCharactersInTheRunId(String escaped) {
            assertThat(reject("{\"run_id\":\"" + escaped + "\",\"epoch\":1,\"loss\":1}")).contains("control character");
        }

        @Test
        void shouldRejectControlCharactersInTheRecordKey() {
            assertThat(reject("bad\nkey", "{\"epoch\":1,\"loss\":1}".getBytes(StandardCharsets.UTF_8)))
                    .contains("control character");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
                "{\"run_id\":\"r1\",\"epoch\":\"12\",\"loss\":1}                | epoch is not a number",
                "{\"run_id\":\"r1\",\"step\":[1],\"loss\":1}                    | step is not a number",
                "{\"run_id\":\"r1\",\"epoch\":-1,\"loss\":1}                    | epoch is not a number >= 0: -1",
                "{\"run_id\":\"r1\",\"epoch\":-0.5,\"step\":3,\"loss\":1}       | epoch is not a number >= 0: -0.5",
                "{\"run_id\":\"r1\",\"epoch\":NaN,\"step\":3,\"loss\":1}        | epoch is not a number >= 0",
                "{\"run_id\":\"r1\",\"epoch\":1.5,\"loss\":1}                   | epoch 1.5 is fractional and there is no step",
                "{\"run_id\":\"r1\",\"epoch\":1e30,\"loss\":1}                  | is too large",
                "{\"run_id\":\"r1\",\"epoch\":1e30,\"step\":3,\"loss\":1}       | is too large",
                "{\"run_id\":\"r1\",\"epoch\":99999999999999999999,\"loss\":1}  | is too large",
                "{\"run_id\":\"r1\",\"epoch\":0.5,\"step\":2.5,\"loss\":1}      | step is not a non-negative whole number: 2.5",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":[0.5]}              | metrics is not an object",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":\"loss=1\"}          | metrics is not an object",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{\"loss\":true}}    | metric train_loss is not a number",
                "{\"run_id\":\"r1\",\"epoch\":1,\"val_loss\":false}              | metric val_loss is not a number",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":{\"mean\":1}}          | metric train_loss is not a number",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":\"low\"}               | metric train_loss is not a number: 'low'",
                "{\"type\":\"checkpoint\",\"run_id\":\"r1\",\"epoch\":1}        | unknown event type 'checkpoint'",
                "{\"type\":3,\"run_id\":\"r1\",\"epoch\":1}                     | type is not a string",
                "{\"run_id\":\"r1\",\"loss\":0.5}                               | needs an epoch or a step",
                "{\"run_id\":\"r1\",\"epoch\":null,\"step\":null,\"loss\":0.5}  | needs an epoch or a step",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":1,\"timestamp\":\"yesterday\"} | timestamp is not ISO-8601",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":1,\"timestamp\":true}  | timestamp is neither",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":[1]}    | config is not an object",
                "{\"type\":\"run_finished\",\"run_id\":\"r1\",\"status\":1}     | status is not a string"})
        void shouldRejectWrongTypesWithTheReason(String json, String reason) {
            assertThat(reject(json)).contains(reason);
        }

        @Test
        void shouldRejectAHugeValue() {
            StringBuilder json = new StringBuilder("{\"run_id\":\"r1\",\"epoch\":1,\"loss\":1,\"note\":\"");
            json.append("x".repeat(EventParser.MAX_VALUE_BYTES));
            json.append("\"}");
            assertThat(reject(json.toString())).contains("over the limit").contains(String.valueOf(EventParser.MAX_VALUE_BYTES));
        }

        @Test
        void shouldRejectANumberTooLongToBeAValue() {
            assertThat(reject("{\"run_id\":\"r1\",\"epoch\":1,\"loss\":0." + "1".repeat(2000) + "}")).startsWith("not JSON");
        }

        @Test
        void shouldRejectTooManyMetrics() {
            StringBuilder json = new StringBuilder("{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{");
            for (int i = 0; i <= EventParser.MAX_METRICS; i++) {
                json.append(i == 0 ? "" : ",").append("\"m").append(i).append("_loss\":1");
            }
            assertThat(reject(json.append("}}").toString())).contains("more than " + EventParser.MAX_METRICS);
        }

        @Test
        void shouldRejectDeeplyNestedJson() {
            String json = "{\"run_id\":\"r1\",\"epoch\":1,\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
            assertThat(reject(json)).startsWith("not JSON");
        }

        @Test
        void shouldKeepTheReasonOnOneLineWhateverTheInput() {
            String reason = reject("{\"type\":\"a\\nb\\r\\nc\",\"run_id\":\"r1\",\"epoch\":1}");
            assertThat(reason).contains("unknown event type").doesNotContain("\n");
        }
    }
}
