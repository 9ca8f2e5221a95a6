package dev.stratus.cloud.training;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A network of one job's own, shared by its hosts and reachable from nowhere else: a Linux network
 * namespace with only a loopback interface, made by util-linux's {@code unshare} and entered with
 * {@code nsenter}. It is what SageMaker's network isolation gives a job (its instances reach each
 * other, nothing else), and it keeps the listening sockets of distributed algorithms off the machine's
 * network: XGBoost's workers listen on all interfaces, with no option to say otherwise. A user
 * namespace comes with it, so no root is needed; where the kernel or a container forbids either,
 * {@link #open} fails with the reason.
 *
 * <p>A small holder process keeps the namespace alive while hosts enter it; a host stays inside once
 * entered, so the holder can end with the server that started it.
 */
final class PrivateNetwork implements AutoCloseable {

    /**
     * Inside the new namespaces: lo up, and a default route through it, so that a program probing for
     * its own address (XGBoost's tracker does) gets 127.0.0.1 rather than "network unreachable". Then
     * hold the namespace until the server closes our stdin, or dies.
     */
    private static final String HOLD = "ip link set lo up && ip route add default dev lo && echo ready && exec cat > /dev/null";

    private final Process holder;

    private PrivateNetwork(Process holder) {
        this.holder = holder;
    }

    /** A new private network, or an exception that says why this machine cannot make one. */
    static PrivateNetwork open() throws IOException {
        Process holder = new ProcessBuilder("unshare", "--user", "--map-root-user", "--net", "--", "sh", "-c", HOLD)
                .redirectErrorStream(true).start();
        BufferedReader output = holder.inputReader();
        StringBuilder said = new StringBuilder();
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            if (line.equals("ready")) {
                PrivateNetwork network = new PrivateNetwork(holder);
                network.checkEntry();
                return network;
            }
            said.append(line).append(' ');
        }
        holder.destroyForcibly();
        throw new IOException(said.isEmpty() ? "unshare ended without saying why" : said.toString().strip());
    }

    /** Enters once, to find out here rather than in every host that this machine lets a process in (nsenter, setns). */
    private void checkEntry() throws IOException {
        List<String> command = new ArrayList<>(enter());
        command.add("true");
        Process entry = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(entry.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (entry.waitFor() != 0) {
                close();
                throw new IOException(said.isEmpty() ? "nsenter exited with code " + entry.exitValue() : said.replace('\n', ' '));
            }
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while entering the network", e);
        }
    }

    /** The words that run a command inside this network (prepend them to the command). */
    List<String> enter() {
        return List.of("nsenter", "--target", Long.toString(holder.pid()), "--user", "--net", "--preserve-credentials", "--");
    }

    /** Ends the holder; the hosts already inside keep the network until the last of them ends. */
    @Override
    public void close() {
        holder.destroy();
    }
}
