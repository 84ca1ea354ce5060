package dev.lossdoctor.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU time of this JVM's threads between two moments, by what they do. The benchmark runs the
 * broker, the producers and the streams in one JVM, so this says where a topology's time goes (its
 * stream threads, the Kafka clients' I/O threads, the broker) where throughput alone cannot.
 */
final class ThreadCpu {

    static final String STREAM_THREADS = "stream threads";
    static final String CLIENT_IO = "client I/O threads";
    static final String BROKER = "broker";
    static final String OTHER = "other";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> start = cpuByThread();

    /** CPU microseconds per event since this was made, by kind of thread (threads that ended meanwhile are not counted). */
    Map<String, Double> microsPerEvent(long events) {
        Map<String, Double> by = new LinkedHashMap<>();
        for (String kind : new String[] {STREAM_THREADS, CLIENT_IO, BROKER, OTHER}) {
            by.put(kind, 0.0);
        }
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long now = THREADS.getThreadCpuTime(t.getThreadId());
            if (now < 0) {
                continue;
            }
            long used = now - start.getOrDefault(t.getThreadId(), 0L);
            by.merge(kind(t.getThreadName()), used / 1e3 / events, Double::sum);
        }
        return by;
    }

    private static String kind(String name) {
        if (name.contains("StreamThread")) {
            return STREAM_THREADS;
        }
        if (name.startsWith("kafka-producer-network-thread") || name.startsWith("kafka-admin-client-thread")
                || name.contains("consumer_background_thread")) {
            return CLIENT_IO;
        }
        if (name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.contains("Reaper")
                || name.contains("SenderThread") || name.startsWith("broker-") || name.startsWith("controller-")
                || name.startsWith("LogDirFailureHandler") || name.startsWith("raft-") || name.startsWith("group-coordinator")) {
            return BROKER;
        }
        return OTHER;
    }

    private static Map<Long, Long> cpuByThread() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }
}
