package dynamos.ui;

import dynamos.framework.Framework;
import dynamos.monitor.MonitorOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Control Center's way to the framework. An open /dev/dynamos pins dynamos.ko, so the Control Center
 * opens it per call and does not keep 'dynamos stop' from unloading the framework, except while monitors
 * it started run: a monitor belongs to the connection that started it and stops when that closes, so one
 * connection is held from the first monitor it starts to the last one it stops (or until it exits).
 * Calls are serialized (lock: this object).
 */
final class FrameworkAccess implements AutoCloseable {
    private final Supplier<Framework> connect;
    private final BooleanSupplier started;
    private Framework held;
    private final Set<Integer> ours = new HashSet<>();

    FrameworkAccess(Supplier<Framework> connect, BooleanSupplier started) {
        this.connect = connect;
        this.started = started;
    }

    boolean started() {
        return started.getAsBoolean();
    }

    /** Runs {@code f} on the held connection, or on one opened for it. */
    synchronized <T> T with(Function<Framework, T> f) {
        if (held != null) {
            return f.apply(held);
        }
        try (Framework fw = connect.get()) {
            return f.apply(fw);
        }
    }

    /** A {@link Framework} whose every call goes through {@link #with} ({@code close} does nothing). */
    Framework perCall() {
        return (Framework) Proxy.newProxyInstance(Framework.class.getClassLoader(), new Class<?>[] {Framework.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "FrameworkAccess.perCall";
                        };
                    }
                    return with(fw -> {
                        try {
                            return method.invoke(fw, args);
                        } catch (InvocationTargetException e) {
                            if (e.getCause() instanceof RuntimeException r) {
                                throw r;
                            }
                            throw new IllegalStateException(e.getCause());
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                });
    }

    /** Starts a monitor on the held connection (opened for the first one). */
    synchronized int monitorStart(String function, MonitorOptions options) {
        boolean opened = false;
        if (held == null) {
            held = connect.get();
            opened = true;
        }
        try {
            int id = held.monitorStart(function, options);
            ours.add(id);
            return id;
        } catch (RuntimeException e) {
            if (opened) {
                closeHeld();
            }
            throw e;
        }
    }

    /** Stops a monitor (any connection's); the held connection closes with the last of ours. */
    synchronized void monitorStop(int id) {
        with(fw -> {
            fw.monitorStop(id);
            return null;
        });
        ours.remove(id);
        if (ours.isEmpty()) {
            closeHeld();
        }
    }

    /** Whether a connection is held for monitors. */
    synchronized boolean holding() {
        return held != null;
    }

    private void closeHeld() {
        if (held != null) {
            Framework f = held;
            held = null;
            ours.clear();
            f.close();
        }
    }

    @Override
    public synchronized void close() {
        closeHeld();
    }
}
