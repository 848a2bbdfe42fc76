package dynamos.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay for the browser tests, run in the guest: connections to {@code LISTEN_HOST:PORT} (the guest's
 * 10.0.2.15, which QEMU's forwarded host port reaches) are passed to {@code TARGET_HOST:PORT} (127.0.0.1,
 * where the Control Center listens) byte for byte, as an SSH tunnel does on a real machine.
 *
 * <p>Usage: {@code java dynamos.testing.PortRelay LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT}; runs
 * until killed and prints {@code relay ready} once it listens.
 */
public final class PortRelay {
    private PortRelay() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: PortRelay LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])), 64);
            System.out.println("relay ready: " + args[0] + ":" + args[1] + " -> " + target);
            System.out.flush();
            for (;;) {
                Socket in = server.accept();
                Thread.ofVirtual().start(() -> relay(in, target));
            }
        }
    }

    private static void relay(Socket client, InetSocketAddress target) {
        try (client; Socket upstream = new Socket()) {
            upstream.connect(target, 5000);
            Thread back = Thread.ofVirtual().start(() -> pump(upstream, client));
            pump(client, upstream);
            back.join();
        } catch (IOException | InterruptedException e) {
            // The connection ends; the browser opens another.
        }
    }

    /** Copies {@code from} to {@code to} until {@code from} ends, then half-closes {@code to}. */
    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[16384];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
