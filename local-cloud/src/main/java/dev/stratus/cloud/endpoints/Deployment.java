package dev.stratus.cloud.endpoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.s3.S3Uri;
import dev.stratus.cloud.training.ContainerEnvironment;

/**
 * An endpoint's running side: its production variants, each with its instances, and the variants that take traffic
 * now ({@link #routing}, read by every request without a lock and replaced whole). Lifecycle work (deploy, blue/green
 * update, scaling) runs one task at a time on the endpoint's own thread. An instance whose process dies while serving
 * is started again in its folder, retrying with backoff until it is healthy or the endpoint goes away.
 */
final class Deployment {

    private static final Logger LOG = Logger.getLogger(Deployment.class.getName());
    /** How long traffic that an instance took before it was retired may take to finish: SageMaker's invocation timeout. */
    static final Duration INVOCATION_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** A production variant as deployed: its spec (from the endpoint configuration and model), weight and instances. */
    static final class Variant {
        final String name;
        final ObjectNode spec;
        volatile double weight;
        final List<Instance> instances = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();

        Variant(ObjectNode spec) {
            this.name = spec.path("VariantName").asText();
            this.spec = spec;
            this.weight = spec.path("Weight").asDouble(1.0);
        }

        /**
         * A healthy instance, round robin over the variant's instances skipping unhealthy ones (whose turns the next
         * healthy one takes), preferring those not {@code tried} yet; null when none is healthy. Plain loops rather than
         * streams: this runs on every request.
         */
        Instance pick(Set<Instance> tried) {
            Instance[] all = instances.toArray(new Instance[0]);
            int turn = next.getAndIncrement();
            Instance triedAlready = null;
            for (int i = 0; i < all.length; i++) {
                Instance candidate = all[Math.floorMod(turn + i, all.length)];
                if (candidate.healthy()) {
                    if (!tried.contains(candidate)) {
                        return candidate;
                    }
                    triedAlready = triedAlready == null ? candidate : triedAlready;
                }
            }
            return triedAlready;
        }

        boolean hasHealthy() {
            for (Instance instance : instances) {
                if (instance.healthy()) {
                    return true;
                }
            }
            return false;
        }
    }

    final String endpoint;
    final String logGroup;
    private final Endpoints.Environment env;
    private final ContainerClient containers;
    private final Path folder;
    private final ExecutorService worker;
    private final Set<Instance> live = ConcurrentHashMap.newKeySet();
    private volatile List<Variant> routing = List.of();
    private volatile boolean closed;

    Deployment(String endpoint, Endpoints.Environment env, ContainerClient containers) {
        this.endpoint = endpoint;
        this.logGroup = "/aws/sagemaker/Endpoints/" + endpoint;
        this.env = env;
        this.containers = containers;
        this.folder = env.home().endpoints().resolve(endpoint);
        this.worker = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "endpoint-" + endpoint);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs lifecycle work after the work already queued; nothing runs once the deployment is closed. */
    void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException closedAlready) {
            // The endpoint is being deleted or the server is stopping.
        }
    }

    boolean closed() {
        return closed;
    }

    /** The variants taking traffic now. */
    List<Variant> routing() {
        return routing;
    }

    /** Puts {@code variants} in front of traffic at once; returns those they replace. */
    List<Variant> route(List<Variant> variants) {
        List<Variant> previous = routing;
        routing = List.copyOf(variants);
        return previous;
    }

    /**
     * An instance to send a request to: of the {@code pinned} variant if any (TargetVariant); else of {@code preferred}
     * (the variant a failed attempt chose) while it has a healthy instance; else of a variant chosen by weight among
     * those with a healthy instance. Null when there is none.
     */
    Instance pick(String pinned, String preferred, Set<Instance> tried) {
        List<Variant> variants = routing;
        String wanted = pinned != null ? pinned : preferred;
        if (wanted != null) {
            for (Variant variant : variants) {
                if (variant.name.equals(wanted)) {
                    Instance instance = variant.pick(tried);
                    if (instance != null || pinned != null) {
                        return instance;
                    }
                }
            }
            if (pinned != null) {
                return null;
            }
        }
        List<Variant> candidates = new ArrayList<>(variants.size());
        double total = 0;
        for (Variant variant : variants) {
            if (variant.hasHealthy()) {
                candidates.add(variant);
                total += variant.weight;
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        Variant chosen = candidates.get(candidates.size() - 1);
        if (total > 0) {
            double point = ThreadLocalRandom.current().nextDouble(total);
            for (Variant variant : candidates) {
                point -= variant.weight;
                if (point < 0) {
                    chosen = variant;
                    break;
                }
            }
        } else {
            // Only variants weighted 0 can answer: better they answer than nobody.
            chosen = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        }
        return chosen.pick(tried);
    }

    /**
     * Starts the instances that {@code specs} (one per variant) describe and waits until every one is healthy. All or
     * nothing: when one fails, every instance started here is stopped and its folder removed, and the EndpointFailure
     * says why.
     */
    List<Variant> start(JsonNode specs) throws InterruptedException {
        List<Variant> variants = new ArrayList<>();
        List<Instance> started = new ArrayList<>();
        try {
            for (JsonNode spec : specs) {
                Variant variant = new Variant((ObjectNode) spec.deepCopy());
                List<Instance> instances = prepare(variant, spec.path("InstanceCount").asInt(1), started);
                variant.instances.addAll(instances);
                variants.add(variant);
            }
            launch(started);
            return variants;
        } catch (IOException e) {
            discard(started);
            throw new EndpointFailure("InternalFailure: the local cloud could not start the endpoint's instances: " + e);
        } catch (RuntimeException | InterruptedException e) {
            discard(started);
            throw e;
        }
    }

    /** Changes a variant's instance count: new instances take traffic once healthy, removed ones after their requests end. */
    void scale(Variant variant, int count) throws InterruptedException {
        int current = variant.instances.size();
        if (count > current) {
            List<Instance> added = new ArrayList<>();
            try {
                prepare(variant, count - current, added);
                launch(added);
            } catch (IOException e) {
                discard(added);
                throw new EndpointFailure("InternalFailure: the local cloud could not start more instances: " + e);
            } catch (RuntimeException | InterruptedException e) {
                discard(added);
                throw e;
            }
            variant.instances.addAll(added);
        } else if (count < current) {
            List<Instance> removed = new ArrayList<>(variant.instances.subList(count, current));
            variant.instances.removeAll(removed);
            retire(removed);
        }
    }

    /** Stops instances that take no more traffic, once the requests they were answering are done. */
    void retire(Collection<Instance> instances) throws InterruptedException {
        instances.forEach(Instance::retire);
        Instant deadline = Instant.now().plus(INVOCATION_TIMEOUT);
        while (instances.stream().anyMatch(i -> i.inFlight.get() > 0) && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        stop(instances);
    }

    List<Instance> instances(List<Variant> variants) {
        return variants.stream().flatMap(v -> v.instances.stream()).toList();
    }

    /** Ships the instances' new output to CloudWatch Logs. */
    void ship() {
        live.forEach(instance -> instance.ship(env.logs(), logGroup));
    }

    /** Takes no more work: a failed deployment, whose instances are already stopped. Called from its own lifecycle thread. */
    void abandon() {
        closed = true;
        routing = List.of();
        worker.shutdown();
    }

    /**
     * Stops every instance and all lifecycle work: the endpoint is deleted, or the server stops (its instances are
     * started again by the next one).
     */
    void close() {
        closed = true;
        routing = List.of();
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(env.stopGrace().toSeconds() + 10, TimeUnit.SECONDS)) {
                LOG.warning("endpoint " + endpoint + ": lifecycle work did not end in time; stopping its instances anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(List.copyOf(live));
    }

    /** The folders of new instances, with the model unpacked into each; {@code into} collects them as they are made. */
    private List<Instance> prepare(Variant variant, int count, List<Instance> into) throws IOException {
        List<String> command;
        try {
            command = env.images().image(variant.spec.path("Image").asText()).command();
        } catch (IllegalArgumentException e) {
            throw new EndpointFailure("Production variant " + variant.name + ": " + e.getMessage());
        }
        Map<String, String> environment = environment(variant.spec);
        List<Instance> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instance instance = register(variant.name, variant.spec.path("Image").asText(), command, environment);
            into.add(instance);
            made.add(instance);
            Files.createDirectories(instance.model());
        }
        String url = variant.spec.path("ModelDataUrl").asText(null);
        if (url != null) {
            new ModelArchive(env.blobs()).install(S3Uri.parse(url, "ModelDataUrl"), "production variant " + variant.name,
                    folder.resolve("runtime"), made.stream().map(Instance::model).toList());
        }
        return made;
    }

    /** A new instance in a fresh folder {@code <variant>-<n>}, n the lowest that no live instance of the variant uses. */
    private synchronized Instance register(String variant, String image, List<String> command, Map<String, String> environment)
            throws IOException {
        if (closed) {
            throw new EndpointFailure("the endpoint " + endpoint + " was deleted while it was being deployed");
        }
        Set<String> taken = new HashSet<>();
        live.forEach(i -> taken.add(i.slot));
        int n = 1;
        while (taken.contains(variant + "-" + n)) {
            n++;
        }
        Instance instance = new Instance(variant, "production variant " + variant, variant + "-" + n, folder, image, command,
                environment, this::replace);
        ModelArchive.delete(instance.base());
        Files.createDirectories(instance.base());
        live.add(instance);
        return instance;
    }

    /** Starts the processes together, then waits for each to pass its health check, all within one health timeout. */
    private void launch(List<Instance> instances) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(env.healthTimeout());
        for (Instance instance : instances) {
            instance.launch();
        }
        for (Instance instance : instances) {
            instance.awaitHealthy(containers, deadline, env.healthTimeout(), logGroup);
        }
    }

    private void discard(List<Instance> instances) {
        stop(instances);
    }

    /** Stops instances together (each SIGTERM, then SIGKILL after the grace) and removes their folders. */
    private void stop(Collection<Instance> instances) {
        Duration grace = env.stopGrace().compareTo(Endpoints.SCALE_DOWN_GRACE) < 0 ? env.stopGrace() : Endpoints.SCALE_DOWN_GRACE;
        List<Thread> stopping = new ArrayList<>();
        for (Instance instance : instances) {
            // A thread each, not a shared pool: each mostly waits for its process to end, for up to the grace.
            Thread thread = new Thread(() -> {
                instance.stop(grace, env.logs(), logGroup);
                live.remove(instance);
                try {
                    ModelArchive.delete(instance.base());
                    ModelArchive.delete(folder.resolve("runtime").resolve(instance.slot));
                } catch (IOException e) {
                    LOG.warning("endpoint " + endpoint + ": could not remove the folder of instance " + instance.slot + ": " + e);
                }
            }, "endpoint-" + endpoint + "-stop-" + instance.slot);
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** An instance's process died while it served: start it again until it is healthy or the endpoint goes away. */
    private void replace(Instance instance) {
        if (closed) {
            return;
        }
        Thread thread = new Thread(() -> {
            LOG.warning("endpoint " + endpoint + ": instance " + instance.slot + " " + instance.describeExit()
                    + "; starting it again");
            instance.ship(env.logs(), logGroup);
            Duration backoff = Duration.ofMillis(200);
            while (!closed && !instance.stopped()) {
                try {
                    instance.launch();
                    instance.awaitHealthy(containers, Instant.now().plus(env.healthTimeout()), env.healthTimeout(), logGroup);
                    LOG.info("endpoint " + endpoint + ": instance " + instance.slot + " is healthy again");
                    return;
                } catch (EndpointFailure | IOException e) {
                    instance.kill();
                    LOG.warning("endpoint " + endpoint + ": instance " + instance.slot + " did not come back: " + e.getMessage());
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }, "endpoint-" + endpoint + "-replace-" + instance.slot);
        thread.setDaemon(true);
        thread.start();
    }

    /** What the server sees: the platform's variables, the local endpoint and credentials, then the container's Environment. */
    private Map<String, String> environment(JsonNode spec) {
        Map<String, String> environment = ContainerEnvironment.base(env.endpoint(), env.credentials(), env.region());
        spec.path("Environment").fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        return environment;
    }
}
