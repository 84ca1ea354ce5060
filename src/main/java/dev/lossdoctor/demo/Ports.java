package dev.lossdoctor.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Whether a TCP port can be listened on, checked before the demo starts anything. */
public final class Ports {

    private Ports() {
    }

    /** True when a server could bind {@code host:port} now (host null: every interface). */
    public static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as servers do: a port in TIME_WAIT is free
            s.bind(host == null ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free on the loopback interface right now (the OS picks it). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on the loopback interface", e);
        }
    }
}
