package dynamos.host;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An exclusive lock on a file, across processes (two dynamos commands, or two test JVMs, building into
 * one directory) and across the threads of this JVM, which a file lock alone does not exclude.
 */
public final class FileLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

    private FileLock() {}

    /**
     * Runs {@code body} holding the lock on {@code lockFile} (created if missing); says once that it waits
     * when another process holds it. {@code what} names the guarded thing in messages.
     */
    public static <T> T holding(Path lockFile, String what, Supplier<T> body) {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock local = IN_THIS_JVM.computeIfAbsent(key, k -> new ReentrantLock());
        local.lock();
        try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock = channel.tryLock();
            if (lock == null) {
                Progress.step("Waiting for another process using " + what);
                lock = channel.lock();
            }
            try {
                return body.get();
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new HostException("cannot lock " + key + " (" + what + "): " + e.getMessage(), e);
        } finally {
            local.unlock();
        }
    }

    /** {@link #holding} for a lock file inside {@code dir}, which is created first. */
    public static <T> T holdingDirectory(Path dir, String what, Supplier<T> body) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HostException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return holding(dir.resolve(".dynamos.lock"), what, body);
    }
}
