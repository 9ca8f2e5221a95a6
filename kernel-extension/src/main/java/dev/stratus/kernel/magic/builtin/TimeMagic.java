package dev.stratus.kernel.magic.builtin;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

import dev.stratus.kernel.magic.Magic;

/** {@code %time CODE} and {@code %%time}: run code and print how long it took, wall clock and CPU. */
public final class TimeMagic {

    private TimeMagic() {
    }

    public static Magic create(CellRunner cells) {
        return Magic.builder("time")
                .summary("Time a line or a cell: prints wall and CPU time, returns the code's value")
                .usage("%time EXPRESSION_OR_STATEMENT\n%%time\nCELL BODY...\n\nExample: %time fib(30)")
                .line(args -> {
                    if (args.raw().isBlank()) {
                        throw new IllegalArgumentException("%time needs code to time, for example %time fib(30)");
                    }
                    return timed(cells, args.raw(), 0);
                })
                .cell((args, body) -> timed(cells, body, 1))
                .build();
    }

    private static Object timed(CellRunner cells, String code, int firstLine) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        try {
            return cells.run(code, firstLine);
        } finally {
            long wall = System.nanoTime() - wallStart;
            long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            System.out.println("CPU time: " + format(cpu) + ", Wall time: " + format(wall));
        }
    }

    static String format(long nanos) {
        if (nanos >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%d µs", nanos / 1_000);
    }
}
