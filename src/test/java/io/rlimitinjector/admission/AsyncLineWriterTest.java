package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AsyncLineWriterTest {
    @Test
    void writesEveryLineInOrderBeforeClosing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AsyncLineWriter writer = new AsyncLineWriter(out, 100);
        IntStream.range(0, 50).forEach(i -> writer.offer("line " + i));
        writer.close();
        assertThat(lines(out)).containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "line " + i).toList());
    }

    /** A reader that stopped reading must not stop admissions: the overflow is dropped and counted, in the log. */
    @Test
    void aStalledStreamDropsTheOverflowAndSaysHowMany() throws InterruptedException {
        StalledStream out = new StalledStream();
        AsyncLineWriter writer = new AsyncLineWriter(out, 10);
        writer.offer("first");
        out.writing.await();
        IntStream.range(0, 15).forEach(i -> writer.offer("queued " + i));
        out.release.countDown();
        writer.close();
        List<String> lines = lines(out.written);
        assertThat(lines).startsWith("first", "{\"msg\":\"log lines dropped\",\"count\":5}");
        assertThat(lines.subList(2, lines.size()))
                .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "queued " + i).toList());
    }

    private static List<String> lines(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** Blocks its first write until released, as a full pipe does. */
    private static final class StalledStream extends OutputStream {
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.write(bytes, offset, length);
        }
    }
}
