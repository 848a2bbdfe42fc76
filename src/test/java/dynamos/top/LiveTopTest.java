package dynamos.top;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.framework.Framework;
import dynamos.testing.FakeFramework;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LiveTopTest {
    /** A terminal that types scripted keys; a null in the script is a wait with no key. */
    private static final class ScriptedScreen implements Screen {
        final Deque<Character> script;
        final List<TopScreen.Frame> frames = new ArrayList<>();
        final List<Integer> picturesAtKey = new ArrayList<>();
        final AtomicInteger pictures;

        ScriptedScreen(AtomicInteger pictures, Character... keys) {
            this.pictures = pictures;
            this.script = new ArrayDeque<>();
            for (Character k : keys) {
                script.add(k == null ? '\0' : k);
            }
        }

        @Override
        public int[] size() {
            return new int[] {12, 90};
        }

        @Override
        public Integer key(long millis) {
            char k = script.isEmpty() ? 'q' : script.poll();
            if (k == '\0') {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return null;
            }
            picturesAtKey.add(pictures.get());
            return (int) k;
        }

        @Override
        public void draw(TopScreen.Frame frame, int width) {
            assertThat(frame.lines()).hasSize(12).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(90));
            frames.add(frame);
        }
    }

    @Test
    void picturesEveryIntervalNoneWhilePausedARedrawAfterEachKeyAndQuitOnQ() {
        FakeFramework fw = new FakeFramework();
        fw.register("get_pid", 1, "alloc_pid");
        AtomicInteger pictures = new AtomicInteger();
        LiveSource source = new LiveSource(() -> true, () -> {
            pictures.incrementAndGet();
            return (Framework) fw;
        }, System::currentTimeMillis);
        TopScreen.Header header = new TopScreen.Header("6.1.0-test", 0.1, ZoneOffset.UTC, true, true, null);
        ScriptedScreen screen = new ScriptedScreen(pictures, null, null, null, 'p', null, null, null, 'p', null, 's', 'q');

        TopState end = new LiveTop(source, header).run(screen);

        assertThat(end.quit()).isTrue();
        assertThat(end.sort()).isEqualTo(SortOrder.NAME);
        // keys: p (pause), p (resume), s, q; no picture between the two p's.
        assertThat(screen.picturesAtKey).hasSize(4);
        assertThat(screen.picturesAtKey.get(0)).isGreaterThanOrEqualTo(2);
        assertThat(screen.picturesAtKey.get(1)).as("paused: no pictures").isEqualTo(screen.picturesAtKey.get(0));
        assertThat(screen.picturesAtKey.get(3)).isGreaterThan(screen.picturesAtKey.get(1));
        assertThat(fw.closes()).as("every picture's connection closed").isEqualTo(pictures.get());
        // A frame per turn of the loop: before each wait and each key.
        assertThat(screen.frames).hasSize(11);
        assertThat(screen.frames.get(4).lines().getFirst()).startsWith("dynamos top [paused] - kernel");
        assertThat(screen.frames.get(3).lines().getFirst()).startsWith("dynamos top - kernel");
        assertThat(screen.frames.getLast().lines().getLast()).startsWith("q quit  s sort: name");
        assertThat(screen.frames.getLast().lines()).anyMatch(l -> l.startsWith("get_pid"));
    }
}
