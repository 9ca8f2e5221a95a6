package dev.stratus.algorithms.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

class FloatTextTest {

    private static float parse(String text) {
        byte[] bytes = ("  " + text + " ").getBytes(StandardCharsets.UTF_8);
        return FloatText.parse(bytes, 2, bytes.length - 1);
    }

    private static void assertSameAsParseFloat(String text) {
        assertEquals(Float.floatToRawIntBits(Float.parseFloat(text)), Float.floatToRawIntBits(parse(text)), text);
    }

    @Test
    void readsWhatFloatParseFloatReads() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            double value = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(30) - 15);
            assertSameAsParseFloat(switch (i % 5) {
                case 0 -> String.format(Locale.ROOT, "%.4f", value);
                case 1 -> String.format(Locale.ROOT, "%e", value);
                case 2 -> Double.toString(value);
                case 3 -> Float.toString((float) value);
                default -> String.format(Locale.ROOT, "%.17g", value);
            });
        }
        for (String text : new String[] {"0", "-0", "+1", "1.", ".5", "007", "1e22", "1E-22", "3.4028236e38", "1e39", "NaN",
                "-Infinity", "0x1p3", "2f", "123456789012345678901234567890", "1.4e-45", "1e-50"}) {
            assertSameAsParseFloat(text);
        }
    }

    @Test
    void aDecimalWhoseDoubleFallsHalfwayBetweenTwoFloatsIsRoundedAsParseFloatRoundsIt() {
        // 1 + 2^-24 (halfway between the floats 1 and 1 + 2^-23) is this decimal's nearest double, but the decimal is a
        // little above it: the float is 1 + 2^-23, where rounding the double again would give 1.
        assertEquals(1.0000001f, parse("1.00000005960464478"));
        assertSameAsParseFloat("1.00000005960464478");
    }

    @Test
    void decimalsOfEighteenDigitsNextToHalfwayPointsAreRoundedAsParseFloatRoundsThem() {
        // Mantissas above 2^53 are rounded once more on the way: the last place can then be off by two.
        Random random = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            float f = (float) Math.scalb(1 + random.nextDouble(), random.nextInt(40) - 20);
            BigDecimal halfway = new BigDecimal(f).add(new BigDecimal(Math.ulp(f)).divide(BigDecimal.valueOf(2)));
            BigDecimal nudge = new BigDecimal(Math.ulp((double) f)).multiply(BigDecimal.valueOf(random.nextInt(9) - 4));
            assertSameAsParseFloat(halfway.add(nudge).round(new MathContext(16 + random.nextInt(3))).toString());
        }
    }

    @Test
    void textThatIsNoNumberIsRefused() {
        for (String text : new String[] {"", "-", "abc", "1.2.3", "1e", "1,5", "١"}) {
            assertThrows(NumberFormatException.class, () -> parse(text), text);
        }
    }
}
