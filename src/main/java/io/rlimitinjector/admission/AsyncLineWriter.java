package io.rlimitinjector.admission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lines written by one daemon thread from a bounded queue, in batches of one write each. An admission only offers
 * its line: standard output is a pipe to the container runtime, and a slow reader there, or many request threads
 * taking turns on one stream, must not hold up a pod. When the queue is full a line is dropped, and a line saying
 * how many were dropped follows once there is room.
 */
final class AsyncLineWriter implements AutoCloseable {
    private final OutputStream out;
    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;

    AsyncLineWriter(OutputStream out, int capacity) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::writeUntilClosed, "admission-log");
        thread.setDaemon(true);
        thread.start();
    }

    void offer(String line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void writeUntilClosed() {
        List<String> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                String first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                closing = true;
                continue;
            }
            queue.drainTo(batch);
            write(batch);
            batch.clear();
        }
    }

    private void write(List<String> lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(lines.size() * 256);
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            writeLine(bytes, "{\"msg\":\"log lines dropped\",\"count\":" + lost + "}");
        }
        lines.forEach(line -> writeLine(bytes, line));
        try {
            bytes.writeTo(out);
            out.flush();
        } catch (IOException e) {
            // Told on the next batch that gets through, with the lines lost before.
            dropped.addAndGet(lost + lines.size());
        }
    }

    private static void writeLine(ByteArrayOutputStream bytes, String line) {
        bytes.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        bytes.write('\n');
    }

    /** Writes what is queued, then stops; bounded by the stream, which at shutdown is still read. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
