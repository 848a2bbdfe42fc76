package dynamos.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistogramsTest {
    @Test
    void histogramQuantilesAndLabels() {
        java.util.List<Long> h = new java.util.ArrayList<>(java.util.Collections.nCopies(40, 0L));
        h.set(10, 3L);
        h.set(20, 1L);
        assertThat(Histograms.quantileNs(h, 0.5)).isBetween(1024.0, 2048.0);
        assertThat(Histograms.quantileNs(h, 0.99)).isBetween(1048576.0, 2097152.0);
        assertThat(Histograms.quantileNs(java.util.List.of(0L, 0L), 0.5)).isEqualTo(-1);
        assertThat(Histograms.bucketLabel(10)).isEqualTo("1.0us");
        assertThat(Histograms.duration(850)).isEqualTo("850ns");
        assertThat(Histograms.duration(3_400_000_000.0)).isEqualTo("3.4s");
    }

    @Test
    void differencesAreBucketByBucketAndARestartCountsAsNew() {
        assertThat(Histograms.difference(java.util.List.of(5L, 3L, 1L), java.util.List.of(2L, 3L, 4L)))
                .containsExactly(3L, 0L, 1L);
    }
}
