package dev.stratus.algorithms.xgboost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.TrainingContext;
import ml.dmlc.xgboost4j.java.Communicator;
import ml.dmlc.xgboost4j.java.RabitTracker;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A job's hosts training one model together, as SageMaker's XGBoost container does it: the first host
 * (algo-1) runs XGBoost's tracker and is a worker too, and every host trains on its own data through
 * XGBoost's collective, so that all of them grow the same trees from the statistics of all the data.
 * On SageMaker the hosts find algo-1 by its name and the tracker on a fixed port; in the local cloud
 * they all live on the loopback, so the platform hands every host an address of the job's own in
 * {@value #FIRST_HOST_ADDRESS}. XGBoost4J's tracker picks its port itself (it ignores the one it is
 * given), so algo-1 listens at that address and tells each host the tracker's port.
 */
final class DistributedTraining {

    /** {@code 127.0.0.1:<port>}: where the first host listens for the others, chosen by the local cloud for each job. */
    static final String FIRST_HOST_ADDRESS = "STRATUS_FIRST_HOST_ADDRESS";

    /** How long the hosts wait for each other to join; they start together, so this is only for a host that never does. */
    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(2);
    /**
     * How long a host waits for the others at each exchange before it gives up on them. A host that dies
     * is noticed at once (its connections close); this ends the wait for one that hangs, and leaves room
     * for a host that reads a larger share of the data before the first exchange.
     */
    private static final Duration EXCHANGE_TIMEOUT = Duration.ofMinutes(10);

    private final RabitTracker tracker;
    private final ServerSocket announcer;

    private DistributedTraining(RabitTracker tracker, ServerSocket announcer) {
        this.tracker = tracker;
        this.announcer = announcer;
    }

    /** The first host, which writes the model and logs the rounds; SageMaker takes the model from it. */
    static boolean isFirstHost(TrainingContext context) {
        return context.currentHost().equals(context.hosts().get(0));
    }

    /** Starts the tracker on the first host, then joins this host to the others. */
    static DistributedTraining join(TrainingContext context) throws AlgorithmError {
        String address = context.environment().get(FIRST_HOST_ADDRESS);
        String firstHost = context.hosts().get(0);
        if (address == null) {
            throw new AlgorithmError("AlgorithmError: training on " + context.hosts().size() + " hosts needs " + FIRST_HOST_ADDRESS
                    + " (host:port where " + firstHost + " listens for the others), which the local cloud sets");
        }
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (colon <= 0 || port <= 0 || port > 65535) {
            throw new AlgorithmError("AlgorithmError: " + FIRST_HOST_ADDRESS + " '" + address + "' is not <host>:<port>");
        }
        String host = address.substring(0, colon);

        RabitTracker tracker = null;
        ServerSocket announcer = null;
        String step = "reach " + firstHost + " at " + address;
        try {
            int trackerPort;
            if (isFirstHost(context)) {
                step = "start XGBoost's tracker on " + host;
                tracker = new RabitTracker(context.hosts().size(), host, 0, (int) JOIN_TIMEOUT.toSeconds());
                tracker.start();
                trackerPort = Integer.parseInt(String.valueOf(tracker.getWorkerArgs().get("dmlc_tracker_port")));
                step = "listen for the other hosts at " + address;
                announcer = announce(host, port, trackerPort);
            } else {
                trackerPort = askTrackerPort(host, port);
            }
            step = "join the other hosts through XGBoost's tracker at " + host + ":" + trackerPort;
            Map<String, Object> worker = new HashMap<>();
            worker.put("dmlc_tracker_uri", host);
            worker.put("dmlc_tracker_port", trackerPort);
            // Ties between workers on one address are broken by task: the hosts' names keep the ranks in their order.
            worker.put("dmlc_task_id", context.currentHost());
            worker.put("dmlc_timeout", (int) EXCHANGE_TIMEOUT.toSeconds());
            Communicator.init(worker);
        } catch (XGBoostError e) {
            throw new AlgorithmError("AlgorithmError: " + context.currentHost() + " could not " + step + ": "
                    + XGBoostTrainer.oneLine(e), e);
        } catch (IOException e) {
            throw new AlgorithmError("AlgorithmError: " + context.currentHost() + " could not " + step + ": " + e.getMessage(), e);
        }
        return new DistributedTraining(tracker, announcer);
    }

    /** Answers every host that connects to {@code host:port} with the tracker's port, until {@link #finish}. */
    private static ServerSocket announce(String host, int port, int trackerPort) throws IOException {
        ServerSocket announcer = new ServerSocket(port, 50, InetAddress.getByName(host));
        Thread thread = new Thread(() -> {
            while (!announcer.isClosed()) {
                try (Socket asking = announcer.accept()) {
                    asking.getOutputStream().write((trackerPort + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closedOrGone) {
                    // Closed by finish(), or a host that went away before the answer: it asks again.
                }
            }
        }, "first-host-announcer");
        thread.setDaemon(true);
        thread.start();
        return announcer;
    }

    /** The tracker's port, from the first host; asked again until it listens, for {@link #JOIN_TIMEOUT} at most. */
    private static int askTrackerPort(String host, int port) throws IOException, AlgorithmError {
        Instant deadline = Instant.now().plus(JOIN_TIMEOUT);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) JOIN_TIMEOUT.toMillis());
                socket.setSoTimeout((int) JOIN_TIMEOUT.toMillis());
                String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                try {
                    return Integer.parseInt(String.valueOf(answer));
                } catch (NumberFormatException e) {
                    throw new IOException("it answered '" + answer + "', not a port");
                }
            } catch (ConnectException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("no answer in " + JOIN_TIMEOUT.toSeconds() + " s: " + notYet.getMessage());
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting", e);
                }
            }
        }
    }

    /**
     * Leaves the group once this host's part is done. The first host then waits until every host has
     * left, since its tracker must outlive their goodbyes.
     */
    void finish() throws AlgorithmError, IOException {
        try {
            Communicator.shutdown();
            if (tracker != null) {
                announcer.close();
                tracker.waitFor(JOIN_TIMEOUT.toSeconds());
                tracker.stop();
            }
        } catch (XGBoostError e) {
            throw new AlgorithmError("AlgorithmError: the hosts trained, but could not part cleanly: " + XGBoostTrainer.oneLine(e), e);
        }
    }

    /** As the container logs them, a Python list: {@code ['algo-1', 'algo-2']}. */
    static String hosts(List<String> hosts) {
        return "[" + String.join(", ", hosts.stream().map(host -> "'" + host + "'").toList()) + "]";
    }
}
