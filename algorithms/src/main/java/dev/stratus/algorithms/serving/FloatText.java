package dev.stratus.algorithms.serving;

import java.nio.charset.StandardCharsets;

/**
 * Reads a number written as text straight from bytes, with the result of {@link Float#parseFloat}: CSV channels
 * and CSV requests hold millions of cells, and a String and a {@code parseFloat} per cell cost several times more.
 */
public final class FloatText {

    /** 10^0 to 10^22: every one exact as a double. */
    private static final double[] POWERS_OF_TEN = new double[23];
    /** The low 29 bits of a double's fraction: what rounding it to a float drops. */
    private static final long DROPPED_BY_FLOAT = (1L << 29) - 1;
    private static final long FLOAT_HALFWAY = 1L << 28;
    /** How many units in the double's last place count as near a halfway point: twice the error bound. */
    private static final long NEAR_HALFWAY = 4;

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private FloatText() {
    }

    /**
     * The number in {@code bytes[start, end)}, without surrounding spaces. A plain decimal ({@code -12.5},
     * {@code 3e-2}) of at most 18 digits and a power of ten within 22 is computed here; anything else goes through
     * {@link Float#parseFloat}.
     *
     * @throws NumberFormatException when the text is not a number
     */
    public static float parse(byte[] bytes, int start, int end) {
        int i = start;
        boolean negative = i < end && bytes[i] == '-';
        if (i < end && (bytes[i] == '-' || bytes[i] == '+')) {
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int scale = 0;
        boolean point = false;
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b >= '0' && b <= '9') {
                mantissa = mantissa * 10 + (b - '0');
                digits++;
                scale -= point ? 1 : 0;
            } else if (b == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (i < end && (bytes[i] == 'e' || bytes[i] == 'E') && digits > 0) {
            int j = i + 1;
            boolean negativeExponent = j < end && bytes[j] == '-';
            if (j < end && (bytes[j] == '-' || bytes[j] == '+')) {
                j++;
            }
            int exponent = 0;
            int exponentDigits = 0;
            for (; j < end && bytes[j] >= '0' && bytes[j] <= '9' && exponentDigits < 4; j++, exponentDigits++) {
                exponent = exponent * 10 + (bytes[j] - '0');
            }
            if (exponentDigits > 0) {
                scale += negativeExponent ? -exponent : exponent;
                i = j;
            }
        }
        if (i == end && digits > 0 && digits <= 18 && Math.abs(scale) <= 22) {
            // The double is within two units of its last place of the exact value (the power of ten is exact; a
            // mantissa above 2^53 and the division round once each). Rounding it to a float then gives the exact
            // value's float unless a halfway point between two floats lies that close: those go to parseFloat.
            double value = scale < 0 ? mantissa / POWERS_OF_TEN[-scale] : mantissa * POWERS_OF_TEN[scale];
            if (Math.abs((Double.doubleToRawLongBits(value) & DROPPED_BY_FLOAT) - FLOAT_HALFWAY) > NEAR_HALFWAY) {
                return (float) (negative ? -value : value);
            }
        }
        return Float.parseFloat(new String(bytes, start, end - start, StandardCharsets.UTF_8));
    }
}
