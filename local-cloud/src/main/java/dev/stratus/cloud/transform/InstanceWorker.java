package dev.stratus.cloud.transform;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import org.jclouds.blobstore.domain.Blob;

import dev.stratus.cloud.endpoints.ContainerClient;
import dev.stratus.cloud.endpoints.Instance;
import dev.stratus.cloud.s3.S3Uri;
import dev.stratus.cloud.transform.Batcher.Batch;
import dev.stratus.cloud.transform.DataProcessing.Format;
import dev.stratus.cloud.transform.InputObjects.InputObject;

/**
 * One instance's share of a transform job: it takes the next input object from the job's queue until none is left,
 * cuts it into requests ({@link Batcher}) and keeps up to MaxConcurrentTransforms of them in flight to its model server,
 * across object boundaries. Answers are written in input order to a file per object, which goes to S3 as
 * {@code <name>.out} only once the whole object is transformed: a failed or stopped object leaves nothing.
 */
final class InstanceWorker {

    /** The error message of Stratus's model servers for a bad record of a request: "record 2: expected 20 features...". */
    private static final Pattern RECORD = Pattern.compile("^record (\\d+): .*", Pattern.DOTALL);

    /** An object's output, written as its answers come in order, and uploaded once complete. */
    private final class ObjectOutput {
        final InputObject object;
        final Path file;
        final OutputStream out;
        int submitted;
        int written;
        long records;
        boolean allSubmitted;

        ObjectOutput(InputObject object) throws IOException {
            this.object = object;
            this.file = Files.createTempFile(run.scratch(), "output", ".out");
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            written++;
            if (allSubmitted && written == submitted) {
                finish();
            }
        }

        void finish() throws IOException {
            out.close();
            S3Uri destination = run.output().resolve(object.name() + ".out");
            run.upload(file, destination);
            Files.deleteIfExists(file);
            open.remove(this);
            run.dataLog(instance, object.uri() + ": " + records + " records transformed into " + destination);
        }

        void discard() {
            try {
                out.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover scratch file goes with the job's folder.
            }
        }
    }

    private record Pending(ObjectOutput output, Future<byte[]> answer) {
    }

    private final TransformRun run;
    private final Instance instance;
    private final BatchSettings settings;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private final List<ObjectOutput> open = new ArrayList<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    InstanceWorker(TransformRun run, Instance instance, BatchSettings settings) {
        this.run = run;
        this.instance = instance;
        this.settings = settings;
        run.contentType().ifPresent(type -> headers.put("Content-Type", type));
        run.accept().ifPresent(type -> headers.put("Accept", type));
    }

    /** Transforms objects until none is left or the job ends; a failure is a {@link TransformFailure}. */
    void work() throws Exception {
        ExecutorService requests = Executors.newFixedThreadPool(settings.maxConcurrentTransforms(), task -> {
            Thread thread = new Thread(task, "transform-job-" + run.name() + "-" + instance.base().getFileName());
            thread.setDaemon(true);
            return thread;
        });
        try {
            InputObject object;
            while (!run.ending() && (object = run.objects().poll()) != null) {
                transform(object, requests);
            }
            while (!pending.isEmpty()) {
                complete(pending.removeFirst());
            }
        } finally {
            requests.shutdownNow();
            pending.forEach(p -> p.answer().cancel(true));
            open.forEach(ObjectOutput::discard);
        }
    }

    private void transform(InputObject object, ExecutorService requests) throws Exception {
        ObjectOutput output = new ObjectOutput(object);
        open.add(output);
        try (InputStream in = open(object)) {
            Batcher batcher = new Batcher(in, object.uri().toString(), run.splitsLines(), settings.multiRecord(),
                    settings.maxPayloadBytes(), run.processing());
            Batch batch;
            while ((batch = batcher.next()) != null) {
                if (run.ending()) {
                    return;
                }
                // MaxConcurrentTransforms requests in flight (the pool's threads), as many more read and waiting, so
                // that the next one goes out as soon as an answer comes back.
                while (pending.size() >= 2 * settings.maxConcurrentTransforms()) {
                    complete(pending.removeFirst());
                }
                Batch request = batch;
                output.submitted++;
                output.records += batch.count();
                pending.addLast(new Pending(output, requests.submit(() -> invoke(object, request))));
            }
        } catch (ZipException e) {
            throw new TransformFailure("ClientError: " + object.uri() + ": CompressionType is Gzip, but the object is not"
                    + " gzip data (" + e.getMessage() + "): upload it gzipped, or set CompressionType None");
        }
        output.allSubmitted = true;
        if (output.written == output.submitted) {
            output.finish();
        }
    }

    private InputStream open(InputObject object) throws IOException {
        Blob blob = run.blobs().getBlob(object.uri().bucket(), object.uri().key());
        if (blob == null) {
            throw new TransformFailure("ClientError: " + object.uri() + " was deleted before the job read it: upload it"
                    + " again and create the job again");
        }
        InputStream in = blob.getPayload().openStream();
        if (!run.gzipped()) {
            return in;
        }
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /** Waits for the oldest request in flight and writes its answer. */
    private void complete(Pending next) throws Exception {
        byte[] answer;
        try {
            answer = next.answer().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        if (answer != null) {
            next.output().write(answer);
        }
    }

    /**
     * Sends one request, retried on a timeout or a 5xx answer as ModelClientConfig allows; returns what is written for
     * it, or null when the job ended meanwhile.
     */
    private byte[] invoke(InputObject object, Batch batch) throws IOException {
        ContainerClient.Answer answer = null;
        for (int attempt = 0; attempt <= run.maxRetries(); attempt++) {
            try {
                answer = run.containers().invoke(instance.invocations(), batch.payload(), headers, run.invocationTimeout());
            } catch (SocketTimeoutException e) {
                answer = null;
                continue;
            } catch (IOException e) {
                if (run.ending()) {
                    return null;
                }
                throw new TransformFailure("InternalServerError: " + object.uri() + ": the model server of instance "
                        + instance.id() + " " + instance.describeExit() + " while transforming " + batch.records()
                        + ": see CloudWatch Logs group " + TransformRun.LOG_GROUP + ", stream " + run.name() + "/" + instance.id());
            }
            if (answer.status() < 500) {
                break;
            }
        }
        if (answer == null) {
            throw new TransformFailure("ClientError: " + object.uri() + ": the model did not answer " + batch.records()
                    + " within " + run.invocationTimeout().toSeconds() + " seconds (" + (run.maxRetries() + 1) + " attempts):"
                    + " raise ModelClientConfig.InvocationsTimeoutInSeconds, or send smaller requests");
        }
        if (answer.status() < 200 || answer.status() >= 300) {
            throw rejected(object, batch, answer);
        }
        return assemble(object, batch, answer);
    }

    /** The model refused a request: the reason names the object and, when it can tell, the record. */
    private TransformFailure rejected(InputObject object, Batch batch, ContainerClient.Answer answer) {
        String message = new String(answer.body(), StandardCharsets.UTF_8).strip();
        message = message.lines().findFirst().orElse("(no message)");
        message = message.length() > 300 ? message.substring(0, 297) + "..." : message;
        String which = batch.records();
        Matcher record = RECORD.matcher(message);
        if (batch.count() > 1 && record.matches()) {
            int n = Integer.parseInt(record.group(1));
            if (n >= 1 && n <= batch.count()) {
                which = "the record at line " + batch.lines()[n - 1] + " (record " + n + " of a request of " + batch.count() + ")";
            }
        }
        String reason = (answer.status() < 500 ? "ClientError: " : "AlgorithmError: ") + object.uri() + ": the model "
                + (answer.status() < 500 ? "rejected " : "failed on ") + which + " with status " + answer.status() + ": " + message;
        run.dataLog(instance, reason);
        return new TransformFailure(reason);
    }

    /** The answer as written to the output: as it came, or a record a line, joined and filtered as the job says. */
    private byte[] assemble(InputObject object, Batch batch, ContainerClient.Answer answer) {
        byte[] body = answer.body();
        DataProcessing processing = run.processing();
        if (!run.assemblesLines() && !processing.rewritesOutput()) {
            return body;
        }
        if (batch.count() == 1) {
            body = stripLineBreaks(body);
        }
        if (!processing.rewritesOutput()) {
            check(object, batch, batch.count() == 1 ? 1 : lineCount(body));
            if (body.length > 0 && body[body.length - 1] == '\n') {
                return body;
            }
            byte[] line = Arrays.copyOf(body, body.length + 1);
            line[body.length] = '\n';
            return line;
        }
        List<byte[]> outputs = batch.count() == 1 ? List.of(body) : lines(body);
        check(object, batch, outputs.size());
        Format answered = Format.of(answer.contentType());
        ByteArrayOutputStream written = new ByteArrayOutputStream(body.length + batch.payload().length + outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            written.writeBytes(processing.output(batch.inputs() == null ? null : batch.inputs().get(i), outputs.get(i), answered,
                    object.uri().toString(), batch.lines()[i]));
            if (run.assemblesLines()) {
                written.write('\n');
            }
        }
        return written.toByteArray();
    }

    /** A request's answer must hold a line per record to be split back into records. */
    private static void check(InputObject object, Batch batch, int lines) {
        if (lines != batch.count()) {
            throw new TransformFailure("ClientError: " + object.uri() + ": the model answered " + lines + " lines for the "
                    + batch.count() + " records at lines " + batch.lines()[0] + " to " + batch.lines()[batch.count() - 1]
                    + ", and with BatchStrategy MultiRecord each record's prediction must be one line: set"
                    + " TransformOutput.Accept to text/csv or application/jsonlines, or BatchStrategy SingleRecord");
        }
    }

    private static int lineCount(byte[] body) {
        int lines = 0;
        for (byte b : body) {
            if (b == '\n') {
                lines++;
            }
        }
        return body.length > 0 && body[body.length - 1] != '\n' ? lines + 1 : lines;
    }

    private static byte[] stripLineBreaks(byte[] body) {
        int end = body.length;
        while (end > 0 && (body[end - 1] == '\n' || body[end - 1] == '\r')) {
            end--;
        }
        return end == body.length ? body : Arrays.copyOf(body, end);
    }

    /** The answer's lines, without line breaks; a last line needs none. */
    private static List<byte[]> lines(byte[] body) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                int end = i > start && body[i - 1] == '\r' ? i - 1 : i;
                lines.add(Arrays.copyOfRange(body, start, end));
                start = i + 1;
            }
        }
        if (start < body.length) {
            lines.add(Arrays.copyOfRange(body, start, body.length));
        }
        return lines;
    }
}
