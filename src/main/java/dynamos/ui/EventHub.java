package dynamos.ui;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Server-Sent Events to every open page: {@link #publish} queues an event for each subscriber, and each
 * subscriber's request thread writes its queue to its connection. A page too slow to keep up (its queue
 * full) is dropped; its EventSource connects again.
 */
public final class EventHub {
    private static final int QUEUE = 2000;
    private static final long KEEPALIVE_MS = 15_000;

    private final List<BlockingQueue<String>> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** One event in the wire format: {@code event: TYPE} and one {@code data:} line per line of the data. */
    static String frame(String type, String data) {
        StringBuilder b = new StringBuilder("event: ").append(type).append('\n');
        for (String line : data.split("\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        return b.append('\n').toString();
    }

    /** Queues an event for every subscriber. */
    public void publish(String type, String json) {
        String f = frame(type, json);
        for (BlockingQueue<String> q : subscribers) {
            if (!q.offer(f)) {
                subscribers.remove(q);
                q.clear();
                q.offer("");
            }
        }
    }

    public int subscribers() {
        return subscribers.size();
    }

    /** Ends every subscription (the server stops). */
    public void close() {
        closed = true;
        for (BlockingQueue<String> q : subscribers) {
            q.offer("");
        }
    }

    /**
     * Writes {@code first} (frames already formatted) and then every event published, until the connection
     * breaks, the subscriber is dropped or the hub closes. Runs on the subscriber's request thread.
     */
    public void stream(OutputStream out, List<String> first) throws IOException {
        BlockingQueue<String> q = new ArrayBlockingQueue<>(QUEUE);
        subscribers.add(q);
        try {
            for (String f : first) {
                out.write(f.getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            while (!closed) {
                String f;
                try {
                    f = q.poll(KEEPALIVE_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (f == null) {
                    f = ": keep-alive\n\n";
                } else if (f.isEmpty()) {
                    return;
                }
                out.write(f.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } finally {
            subscribers.remove(q);
        }
    }
}
