package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** The numbers in summaries and evidence: the hand-written scientific notation writes what the JDK's formatter writes. */
class TextProperties {

    @Property(tries = 5000, seed = "42")
    void scientificIsWhatStringFormatWrites(@ForAll @DoubleRange(min = 1, max = 10) double mantissa,
                                            @ForAll @IntRange(min = -300, max = 300) int exponent,
                                            @ForAll boolean negative) {
        double v = (negative ? -1 : 1) * mantissa * Math.pow(10, exponent);
        if (Double.isFinite(v) && v != 0) {
            assertThat(Text.scientific(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.2e", v));
        }
    }

    @Property(tries = 3000, seed = "43")
    void scientificAndRoundAgreeOnAnyDouble(@ForAll double v) {
        if (Double.isFinite(v) && v != 0) {
            assertThat(Text.scientific(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.2e", v));
            assertThat(Text.round(v)).as("%s", v).isEqualTo(new BigDecimal(v).round(new MathContext(4)).doubleValue());
        }
    }

    private static String numByBigDecimal(double v) {
        String s = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    @Property(tries = 5000, seed = "44")
    void numAndRoundAreWhatBigDecimalGives(@ForAll @DoubleRange(min = 1, max = 10) double mantissa,
                                           @ForAll @IntRange(min = -30, max = 30) int exponent,
                                           @ForAll boolean negative) {
        double v = (negative ? -1 : 1) * mantissa * Math.pow(10, exponent);
        assertThat(Text.round(v)).as("%s", v).isEqualTo(new BigDecimal(v).round(new MathContext(4)).doubleValue());
        if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6) {
            assertThat(Text.num(v)).as("%s", v).isEqualTo(numByBigDecimal(v));
        }
    }

    @Property(tries = 1)
    void numAndRoundAgreeOnTiesCarriesAndPowersOfTen() {
        for (double v : new double[] {0.0, -0.0, 0.001, 0.00099999, 1, 10, 100, 999.5, 999.45, 9.995, 9.9949999, 0.1235, 0.12345,
                0.5, 1.5, 2.5, 1e5, 999_999.9, 123_456, 0.3, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 1e-3 + 1e-18, 4.35, 4.345, 0.105,
                1.005, 1.0005, 12.345, 99.95, 99.949, 1e21, 1e22, 1e23, 1e-22, 1e-23, Double.MIN_VALUE, Double.MAX_VALUE}) {
            for (double x : new double[] {v, -v, Math.nextUp(v), Math.nextDown(v)}) {
                if (Double.isFinite(x)) {
                    assertThat(Text.round(x)).as("%s", x).isEqualTo(new BigDecimal(x).round(new MathContext(4)).doubleValue());
                    if (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 || x == 0) {
                        assertThat(Text.num(x)).as("%s", x).isEqualTo(numByBigDecimal(x));
                    }
                }
            }
        }
        assertThat(Text.num(0.1234)).isEqualTo("0.123");
        assertThat(Text.num(-12_340)).isEqualTo("-12300");
        assertThat(Text.num(0.5)).isEqualTo("0.5");
        assertThat(Text.round(0.123456)).isEqualTo(0.1235);
    }

    @Property(tries = 1)
    void scientificRoundsHalfUpAndCarries() {
        for (double v : new double[] {1.235e-4, 9.995e-4, 9.9999e-5, 1e-4, -2.5e-7, 1.005e6, 123456789.0, Double.MIN_VALUE,
                Double.MAX_VALUE, 4.9e-324}) {
            assertThat(Text.scientific(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.2e", v));
        }
        assertThat(Text.num(0.00012345)).isEqualTo("1.23e-04");
        assertThat(Text.num(-2.5e7)).isEqualTo("-2.50e+07");
    }
}
