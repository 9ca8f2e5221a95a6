package dev.stratus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.github.spencerpark.jupyter.messages.KernelTimestamp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each check runs on a new thread: basekernel keeps a date format per thread, made the first time a thread needs one. */
class MessageDatesTest {

    @BeforeAll
    static void install() {
        MessageDates.install();
    }

    @Test
    void messagesAreDatedInUtcToTheMillisecond() {
        Instant before = Instant.now();
        String written = onNewThread(() -> KernelTimestamp.now().getDateString());
        assertTrue(written.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), written);
        Instant dated = Instant.parse(written);
        assertTrue(!dated.isBefore(before.truncatedTo(ChronoUnit.MILLIS)) && Duration.between(dated, Instant.now()).toSeconds() < 10,
                written + " is not now (" + before + ")");
    }

    @Test
    void aMessageIsDatedWhenItIsWrittenOutToBeSent() {
        String written = onNewThread(() -> {
            KernelTimestamp made = KernelTimestamp.now(); // as basekernel makes a request's idle status at its start
            Instant sent = Instant.now().plusMillis(100);
            while (Instant.now().isBefore(sent)) {
                Thread.onSpinWait();
            }
            return made.getDateString();
        });
        assertTrue(Duration.between(Instant.parse(written), Instant.now()).toMillis() < 100, written + " is when it was made");
    }

    @Test
    void clientsDatesAreReadToTheMillisecond() {
        Date read = onNewThread(() -> new KernelTimestamp("2026-11-30T12:30:01.123456Z").getDate());
        assertEquals(Date.from(Instant.parse("2026-11-30T12:30:01.123Z")), read);
        assertEquals(Date.from(Instant.parse("2026-11-30T13:30:01Z")),
                onNewThread(() -> new KernelTimestamp("2026-11-30T14:30:01+01:00").getDate()));
    }

    @Test
    void aDateThatIsNotIso8601IsRefused() {
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> onNewThread(() -> new KernelTimestamp("30 Nov 2026").getDate()));
        assertTrue(refused.getMessage().contains("Invalid date string '30 Nov 2026'"), refused.getMessage());
    }

    private static <T> T onNewThread(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, runnable -> new Thread(runnable).start()).join();
    }
}
