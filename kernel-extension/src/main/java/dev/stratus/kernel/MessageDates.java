package dev.stratus.kernel;

import java.text.DateFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Calendar;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;
import java.util.function.Supplier;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.messages.KernelTimestamp;

/**
 * basekernel 2.3.0 dates its messages to the minute ("2026-11-30T12:30+0000"), which jupyter_client does not read as a
 * date at all (it wants seconds), so front ends cannot tell when a cell started or how long it ran. The messaging spec
 * asks for ISO 8601: the kernel dates its messages to the millisecond in UTC, "2026-11-30T12:30:01.123Z", as it sends
 * them (basekernel makes a request's idle status when the request starts, and sends it when the request ends).
 */
final class MessageDates {

    private static final Logger LOG = Logger.getLogger(MessageDates.class.getName());

    private MessageDates() {
    }

    /**
     * Before the first message: basekernel keeps one date format per thread, made by the supplier this replaces, so a
     * thread that has dated a message keeps the old one. A failure leaves basekernel's dates in place.
     */
    static void install() {
        try {
            ThreadLocal<?> perThread = (ThreadLocal<?>) PrivateFields.open(KernelTimestamp.class, "DATE_FORMAT").get(null);
            // ThreadLocal.withInitial's supplier (java.lang is open to the kernel: Spark's flags in its kernelspec).
            PrivateFields.open(perThread.getClass(), "supplier").set(perThread, (Supplier<DateFormat>) WhenSent::new);
            perThread.remove();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warning("messages keep basekernel's dates to the minute, which jupyter_client does not read: " + e);
        }
    }

    /**
     * Writes the moment it is asked, which is when basekernel writes a message out to send it, rather than the moment
     * the message was made; reads what clients send (jupyter_client: "2026-11-30T12:30:01.123456Z").
     */
    private static final class WhenSent extends DateFormat {

        private static final DateTimeFormatter WRITTEN =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

        WhenSent() {
            // DateFormat's own equals, hashCode and clone use these.
            calendar = Calendar.getInstance(TimeZone.getTimeZone(ZoneOffset.UTC), Locale.ROOT);
            numberFormat = NumberFormat.getIntegerInstance(Locale.ROOT);
        }

        @Override
        public StringBuffer format(Date made, StringBuffer toAppendTo, FieldPosition fieldPosition) {
            return toAppendTo.append(WRITTEN.format(Instant.now()));
        }

        @Override
        public Date parse(String source, ParsePosition position) {
            try {
                Date date = Date.from(OffsetDateTime.parse(source.substring(position.getIndex())).toInstant());
                position.setIndex(source.length());
                return date;
            } catch (DateTimeParseException notIso) {
                position.setErrorIndex(position.getIndex() + notIso.getErrorIndex());
                return null;
            }
        }
    }
}
