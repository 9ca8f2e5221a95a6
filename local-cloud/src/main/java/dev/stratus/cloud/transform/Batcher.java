package dev.stratus.cloud.transform;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts one input object into the requests of a transform job. SplitType Line: each non-blank line is a record (a
 * trailing carriage return dropped); MultiRecord packs consecutive records, each ending with a newline, up to
 * MaxPayloadInMB; SingleRecord sends one record a request. SplitType None sends the whole object as one request (none
 * for an empty object). A
 * record (or object) larger than MaxPayloadInMB fails the job, naming it. The InputFilter is applied to each record
 * before it is packed, so the limit counts what the model receives. MultiRecord without an InputFilter or a join packs
 * the object's bytes as they are, whole lines at a time, and copies only to drop blank lines and carriage returns.
 */
final class Batcher {

    /**
     * One request: its records' line numbers in the object (1 for a whole object), its body, and the records as they
     * were read when the output joins them ({@code inputs}, else null).
     */
    record Batch(int[] lines, byte[] payload, List<byte[]> inputs) {
        int count() {
            return lines.length;
        }

        /** The records in failure messages: "the record at line 7", "the records at lines 3 to 9". */
        String records() {
            return lines.length == 1 ? "the record at line " + lines[0]
                    : "the records at lines " + lines[0] + " to " + lines[lines.length - 1];
        }
    }

    private final InputStream in;
    private final String object;
    private final boolean split;
    private final boolean multiRecord;
    private final int limit;
    private final DataProcessing processing;
    /** MultiRecord with records sent as read: requests are cut from the bytes directly. */
    private final boolean packsBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int end;
    private int line;
    private boolean done;
    /** A record read but not yet sent: it did not fit into the last request. */
    private byte[] heldInput;
    private byte[] heldPayload;
    private int heldLine;

    /**
     * @param in         the object's bytes, decompressed
     * @param object     the object's URI, for failure messages
     * @param split      SplitType Line (else None)
     * @param limit      MaxPayloadInMB, in bytes
     * @param processing the job's InputFilter and join; {@link Batch#inputs} are kept when it joins
     */
    Batcher(InputStream in, String object, boolean split, boolean multiRecord, int limit, DataProcessing processing) {
        this.in = in;
        this.object = object;
        this.split = split;
        this.multiRecord = multiRecord;
        this.limit = limit;
        this.processing = processing;
        this.packsBytes = split && multiRecord && !processing.filtersInput() && !processing.joins();
    }

    /** The next request, or null when the object has no more records. */
    Batch next() throws IOException {
        if (!split) {
            return whole();
        }
        if (packsBytes) {
            return packed();
        }
        List<byte[]> inputs = processing.joins() ? new ArrayList<>() : null;
        int[] lines = new int[16];
        int count = 0;
        byte[] payload = new byte[0];
        int size = 0;
        while (true) {
            if (heldPayload == null && !read()) {
                break;
            }
            int needed = heldPayload.length + (multiRecord ? 1 : 0);
            if (needed > limit) {
                throw new TransformFailure("ClientError: " + object + ": the record at line " + heldLine + " is "
                        + heldPayload.length + " bytes, more than MaxPayloadInMB (" + limit / (1024 * 1024) + " MB) allows:"
                        + " raise MaxPayloadInMB (at most " + BatchSettings.MAX_PAYLOAD_MB + ") or make the record smaller");
            }
            if (count > 0 && (!multiRecord || size + needed > limit)) {
                break;
            }
            if (size + needed > payload.length) {
                payload = Arrays.copyOf(payload, Math.min(limit, Math.max(size + needed, payload.length * 2 + 4096)));
            }
            System.arraycopy(heldPayload, 0, payload, size, heldPayload.length);
            size += heldPayload.length;
            if (multiRecord) {
                payload[size++] = '\n';
            }
            if (count == lines.length) {
                lines = Arrays.copyOf(lines, count * 2);
            }
            lines[count++] = heldLine;
            if (inputs != null) {
                inputs.add(heldInput);
            }
            heldInput = null;
            heldPayload = null;
        }
        return count == 0 ? null : new Batch(Arrays.copyOf(lines, count), Arrays.copyOf(payload, size), inputs);
    }

    /**
     * The next request of whole lines up to the limit, cut from the object's bytes: the last line of the object gets a
     * newline if it has none, blank lines are dropped, and a line too long for a request fails the job.
     */
    private Batch packed() throws IOException {
        byte[] chunk = new byte[limit];
        int size = 0;
        if (heldPayload != null) {
            System.arraycopy(heldPayload, 0, chunk, 0, heldPayload.length);
            size = heldPayload.length;
            heldPayload = null;
        }
        while (size < limit && !done) {
            int read = in.read(chunk, size, limit - size);
            if (read < 0) {
                done = true;
            } else {
                size += read;
            }
        }
        if (done && size > 0 && size < limit && chunk[size - 1] != '\n') {
            chunk[size++] = '\n';
        }
        int cut = size;
        while (cut > 0 && chunk[cut - 1] != '\n') {
            cut--;
        }
        if (cut == 0 && size > 0) {
            throw new TransformFailure("ClientError: " + object + ": the record at line " + (line + 1) + " is " + size
                    + " bytes or more, more than MaxPayloadInMB (" + limit / (1024 * 1024) + " MB) allows with its newline:"
                    + " raise MaxPayloadInMB (at most " + BatchSettings.MAX_PAYLOAD_MB + ") or make the record smaller");
        }
        if (cut < size) {
            heldPayload = Arrays.copyOfRange(chunk, cut, size);
        }
        int[] lines = new int[1024];
        int count = 0;
        int written = 0;
        int start = 0;
        for (int i = 0; i < cut; i++) {
            if (chunk[i] != '\n') {
                continue;
            }
            line++;
            int end = i > start && chunk[i - 1] == '\r' ? i - 1 : i;
            if (!blank(chunk, start, end)) {
                if (written != start) {
                    System.arraycopy(chunk, start, chunk, written, end - start);
                }
                written += end - start;
                chunk[written++] = '\n';
                if (count == lines.length) {
                    lines = Arrays.copyOf(lines, count * 2);
                }
                lines[count++] = line;
            }
            start = i + 1;
        }
        if (count == 0) {
            return done && heldPayload == null ? null : packed(); // only blank lines so far
        }
        return new Batch(Arrays.copyOf(lines, count), written == chunk.length ? chunk : Arrays.copyOf(chunk, written), null);
    }

    /** SplitType None: the whole object as one request, once. */
    private Batch whole() throws IOException {
        if (done) {
            return null;
        }
        done = true;
        byte[] bytes = in.readNBytes(limit + 1);
        if (bytes.length == 0) {
            return null; // an empty object has no record to send: its output is empty too
        }
        if (bytes.length > limit) {
            throw new TransformFailure("ClientError: " + object + " is larger than MaxPayloadInMB (" + limit / (1024 * 1024)
                    + " MB), and SplitType None sends each object whole: set SplitType Line to send it record by record, or"
                    + " raise MaxPayloadInMB (at most " + BatchSettings.MAX_PAYLOAD_MB + ")");
        }
        return new Batch(new int[] {1}, processing.input(bytes, object, 1),
                processing.joins() ? List.of(bytes) : null);
    }

    /** Reads the next non-blank line into the held record; false at the end of the object. */
    private boolean read() throws IOException {
        while (true) {
            byte[] record = line();
            if (record == null) {
                return false;
            }
            line++;
            if (!blank(record)) {
                heldInput = record;
                heldLine = line;
                heldPayload = processing.input(record, object, line);
                return true;
            }
        }
    }

    /** The next line without its line break (and carriage return), or null at the end. */
    private byte[] line() throws IOException {
        byte[] partial = null;
        while (true) {
            if (position == end) {
                end = in.read(buffer);
                position = 0;
                if (end <= 0) {
                    end = 0;
                    return partial == null || partial.length == 0 ? null : trim(partial);
                }
            }
            int newline = position;
            while (newline < end && buffer[newline] != '\n') {
                newline++;
            }
            byte[] piece = Arrays.copyOfRange(buffer, position, newline);
            partial = partial == null ? piece : concat(partial, piece);
            if (newline < end) {
                position = newline + 1;
                return trim(partial);
            }
            position = end;
        }
    }

    private static byte[] trim(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static boolean blank(byte[] record) {
        return blank(record, 0, record.length);
    }

    private static boolean blank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
