package dev.lossdoctor.demo;

import dev.lossdoctor.core.RunStatus;
import java.io.File;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the {@link LiveView} on the screen every ~500 ms. On a terminal it redraws the table in
 * place; otherwise (output piped) it prints a plain line each time a run's diagnosis changes and
 * a line of totals now and then. Runs the service no longer holds (evicted after finishing) stay
 * on screen as last seen.
 */
public final class LiveScreen implements AutoCloseable {

    static final Duration REFRESH = Duration.ofMillis(500);
    static final Duration PLAIN_TOTALS_EVERY = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(LiveScreen.class);
    private static final String HOME = "\u001b[H", CLEAR_LINE = "\u001b[K", CLEAR_BELOW = "\u001b[J",
            CLEAR_SCREEN = "\u001b[2J", HIDE_CURSOR = "\u001b[?25l", SHOW_CURSOR = "\u001b[?25h";

    private final PrintWriter out;
    private final boolean terminal;
    private final List<String> header;
    private final Supplier<List<RunStatus>> source;
    private final LongSupplier recordsSent;
    private final Map<String, RunStatus> seen = new LinkedHashMap<>();
    private final Map<String, String> printed = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;
    private long lastTotals = System.nanoTime();
    private int[] size = {40, 120};
    private long sizeChecked;

    /**
     * @param terminal redraw in place with colours (else: plain lines)
     * @param header the lines above the table (see {@link LiveView#header})
     * @param source the runs' current statuses (the service's {@code runs()})
     * @param recordsSent how many records the simulated trainers have sent, for the totals
     */
    public LiveScreen(PrintWriter out, boolean terminal, List<String> header, Supplier<List<RunStatus>> source, LongSupplier recordsSent) {
        this.out = out;
        this.terminal = terminal;
        this.header = List.copyOf(header);
        this.source = source;
        this.recordsSent = recordsSent;
        this.thread = new Thread(this::loop, "live-view");
        this.thread.setDaemon(true);
    }

    public void start() {
        if (terminal) {
            out.print(HIDE_CURSOR + CLEAR_SCREEN);
        } else {
            header.forEach(out::println);
        }
        out.flush();
        thread.start();
    }

    private void loop() {
        while (!stopping) {
            try {
                refresh();
            } catch (RuntimeException e) {
                log.debug("live view: could not refresh: {}", e.toString()); // the service may be rebalancing: next time
            }
            try {
                TimeUnit.NANOSECONDS.sleep(REFRESH.toNanos());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void refresh() {
        List<RunStatus> current = source.get();
        for (RunStatus s : current) {
            seen.put(s.runId(), s);
        }
        List<RunStatus> runs = new ArrayList<>(seen.values());
        if (terminal) {
            draw(runs);
        } else {
            printChanges(current);
            if (System.nanoTime() - lastTotals >= PLAIN_TOTALS_EVERY.toNanos()) {
                lastTotals = System.nanoTime();
                out.println(LiveView.totalsLine(LocalTime.now(), runs, recordsSent.getAsLong()));
            }
        }
        out.flush();
    }

    private void printChanges(List<RunStatus> current) {
        for (RunStatus s : current.stream().sorted((a, b) -> a.runId().compareTo(b.runId())).toList()) {
            String code = s.diagnosis().code();
            if (!code.equals(printed.put(s.runId(), code))) {
                out.println(LiveView.changeLine(LocalTime.now(), s));
            }
        }
    }

    private void draw(List<RunStatus> runs) {
        int[] hw = terminalSize();
        int width = hw[1];
        List<String> lines = new ArrayList<>();
        for (String h : header) {
            lines.add(LiveView.fit(h, width));
        }
        lines.add("");
        List<String> table = LiveView.rows(runs, width, true);
        int room = Math.max(2, hw[0] - lines.size() - 2);
        if (table.size() > room) {
            int hidden = table.size() - (room - 1);
            table = new ArrayList<>(table.subList(0, room - 1));
            table.add("  … " + hidden + " more runs (the least severe); all of them on /runs");
        }
        lines.addAll(table);
        lines.add("");
        lines.add(LiveView.fit(LiveView.totalsLine(LocalTime.now(), runs, recordsSent.getAsLong()) + " · Ctrl-C to stop", width));
        StringBuilder frame = new StringBuilder(HOME);
        for (String l : lines) {
            frame.append(l).append(CLEAR_LINE).append('\n');
        }
        frame.append(CLEAR_BELOW);
        out.print(frame);
    }

    /** Rows and columns of the terminal ({@code stty size}, checked every few seconds), else 40x120. */
    private int[] terminalSize() {
        if (System.nanoTime() - sizeChecked < TimeUnit.SECONDS.toNanos(3) && sizeChecked != 0) {
            return size;
        }
        sizeChecked = System.nanoTime();
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] parts = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            if (p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() == 0 && parts.length == 2) {
                size = new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            }
        } catch (Exception e) {
            String columns = System.getenv("COLUMNS");
            if (columns != null && columns.matches("\\d+")) {
                size = new int[] {size[0], Integer.parseInt(columns)};
            }
        }
        return size;
    }

    /** Stops redrawing; draws one last time (a terminal gets its cursor back). */
    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            refresh();
        } catch (RuntimeException e) {
            log.debug("live view: last refresh failed", e);
        }
        synchronized (this) {
            if (terminal) {
                out.print(SHOW_CURSOR);
            } else {
                out.println(LiveView.totalsLine(LocalTime.now(), new ArrayList<>(seen.values()), recordsSent.getAsLong())
                        .replaceFirst(" ", " stopped: "));
            }
            out.flush();
        }
    }
}
