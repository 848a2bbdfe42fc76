package dynamos.ui;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The kernel log as the Control Center shows it: the records of {@code /dev/kmsg} that concern the
 * framework (they contain "dynamos") or an update (its name, its module's or a version's function name).
 * Updates come and go, and a module logs from its init before it is in the table: the names seen once stay
 * watched, and a record that matches a name learnt later is shown then, in its place. Thread-safe.
 */
public final class KernelLog {
    /** Records kept to filter again when a new name is watched. */
    static final int RAW_KEPT = 4000;
    /** Records shown (the page's tail). */
    static final int SHOWN_KEPT = 500;
    /** Names shorter than this match too much to filter by. */
    private static final int MIN_NAME = 4;

    /** One record: its sequence number, time since boot in microseconds, level (0 emerg .. 7 debug) and text. */
    public record Entry(long seq, long micros, int level, String text) {}

    private final Consumer<Entry> listener;
    private final Deque<Entry> raw = new ArrayDeque<>();
    private final Deque<Entry> shown = new ArrayDeque<>();
    private final Set<Long> shownSeqs = new HashSet<>();
    private final Set<String> names = new HashSet<>();

    /** @param listener hears each record when it is first shown */
    public KernelLog(Consumer<Entry> listener) {
        this.listener = listener;
    }

    /**
     * One {@code /dev/kmsg} record: {@code LEVEL,SEQ,MICROS,FLAGS;TEXT}, possibly followed by dictionary
     * lines (which are dropped); null for anything else.
     */
    static Entry parse(String record) {
        int semi = record.indexOf(';');
        if (semi < 0) {
            return null;
        }
        String[] head = record.substring(0, semi).split(",");
        if (head.length < 3) {
            return null;
        }
        String text = record.substring(semi + 1);
        int nl = text.indexOf('\n');
        if (nl >= 0) {
            text = text.substring(0, nl);
        }
        try {
            int prefix = Integer.parseInt(head[0]);
            return new Entry(Long.parseLong(head[1]), Long.parseLong(head[2]), prefix & 7, text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Takes one raw {@code /dev/kmsg} record. */
    public void accept(String record) {
        Entry e = parse(record);
        if (e == null) {
            return;
        }
        List<Entry> now = new ArrayList<>();
        synchronized (this) {
            raw.addLast(e);
            if (raw.size() > RAW_KEPT) {
                raw.removeFirst();
            }
            if (matches(e.text())) {
                show(e, now);
            }
        }
        now.forEach(listener);
    }

    /** Watches {@code more} names from now on; earlier records they match are shown now. */
    public void watch(Collection<String> more) {
        List<Entry> now = new ArrayList<>();
        synchronized (this) {
            boolean added = false;
            for (String n : more) {
                if (n != null && n.length() >= MIN_NAME) {
                    added |= names.add(n.toLowerCase(Locale.ROOT));
                }
            }
            if (!added) {
                return;
            }
            for (Entry e : raw) {
                if (!shownSeqs.contains(e.seq()) && matches(e.text())) {
                    show(e, now);
                }
            }
            if (!now.isEmpty()) {
                List<Entry> all = new ArrayList<>(shown);
                all.sort(Comparator.comparingLong(Entry::seq));
                shown.clear();
                shown.addAll(all);
            }
        }
        now.forEach(listener);
    }

    /** The records shown, oldest first (at most {@link #SHOWN_KEPT}). */
    public synchronized List<Entry> tail() {
        return List.copyOf(shown);
    }

    private void show(Entry e, List<Entry> now) {
        shown.addLast(e);
        shownSeqs.add(e.seq());
        while (shown.size() > SHOWN_KEPT) {
            shownSeqs.remove(shown.removeFirst().seq());
        }
        now.add(e);
    }

    private boolean matches(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("dynamos")) {
            return true;
        }
        for (String n : names) {
            if (t.contains(n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads {@code kmsg} (from its first record kept) on a daemon thread until the stream ends; records
     * overwritten before they were read (EPIPE) are skipped.
     */
    public Thread follow(Path kmsg) {
        Thread t = Thread.ofPlatform().daemon().name("dynamos-ui-kmsg").start(() -> {
            try (InputStream in = new FileInputStream(kmsg.toFile())) {
                byte[] buf = new byte[8192];
                for (;;) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (IOException e) {
                        if (String.valueOf(e.getMessage()).contains("Broken pipe")) {
                            continue;
                        }
                        throw e;
                    }
                    if (n < 0) {
                        return;
                    }
                    accept(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                accept("3,0,0,-;dynamos ui: cannot read " + kmsg + ": " + e.getMessage());
            }
        });
        return t;
    }
}
