package dynamos.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The framework's control device, /dev/dynamos, driven through the FFM API (open, ioctl, close of libc).
 * One instance holds one open file descriptor.
 */
public final class Device implements AutoCloseable {
    public static final Path PATH = Path.of("/dev/dynamos");
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 02000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LIBC.find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** Room for the framework and a few dozen versions; LIST says when it needs more. */
    private static final int INITIAL_LIST_BUFFER = 64 * 1024;
    private static final int LIST_ATTEMPTS = 5;

    private final int fd;

    private Device(int fd) {
        this.fd = fd;
    }

    /** Opens /dev/dynamos; fails with a message that says how to start the framework or why access is denied. */
    public static Device open() {
        if (!Files.exists(PATH)) {
            throw new DeviceException(Errno.ENOENT, PATH + " does not exist: the framework is not started"
                    + " (start it with: dynamos start)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(PATH.toString()), O_RDWR | O_CLOEXEC, 0);
            if (fd < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                throw new DeviceException(errno, "cannot open " + PATH + ": " + Errno.name(errno)
                        + (errno == Errno.EPERM || errno == Errno.EACCES
                                ? " (the framework is root-only: it needs CAP_SYS_ADMIN)" : ""));
            }
            return new Device(fd);
        } catch (DeviceException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open " + PATH + " via FFM failed", t);
        }
    }

    /** Sends one command; returns its result or throws with the kernel's errno and message. */
    public long call(Command command, Request request) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = request.encode(arena);
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) IOCTL.invokeExact(state, fd, command.ioctlNumber(), req);
            if (rc < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                String msg = Request.error(req);
                request.decodeRecordsNeeded(req);
                throw new DeviceException(errno, (msg.isEmpty() ? command.name().toLowerCase() + " failed" : msg)
                        + " (" + Errno.name(errno) + ")");
            }
            request.decode(req);
            return Request.result(req);
        } catch (DeviceException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl " + command + " via FFM failed", t);
        }
    }

    /** The framework's table (LIST), one consistent snapshot; the buffer grows if the table outgrew it. */
    public Records.Listing list() {
        return Records.listing(records(Command.LIST));
    }

    /**
     * The records a listing command (LIST, MONITOR_LIST) writes, one consistent snapshot; the buffer grows if
     * the answer outgrew it.
     */
    public byte[] records(Command command) {
        int size = INITIAL_LIST_BUFFER;
        for (int attempt = 1; ; attempt++) {
            Request r = new Request();
            r.recordBufferSize = size;
            try {
                call(command, r);
                return r.records;
            } catch (DeviceException e) {
                // ENOSPC says how much the answer needs now; it may grow again before the retry.
                if (e.errno() != Errno.ENOSPC || attempt == LIST_ATTEMPTS) {
                    throw e;
                }
                size = Math.max(size, r.recordsNeeded) * 2;
            }
        }
    }

    @Override
    public void close() {
        try {
            int rc = (int) CLOSE.invokeExact(fd);
            if (rc < 0) {
                throw new IllegalStateException("close(/dev/dynamos) failed");
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
