package dev.lossdoctor.chart;

/** Text into HTML and SVG (XML) safely, and pixel numbers short. */
final class Markup {

    private Markup() {
    }

    /** Escapes {@code s} for text and attribute values; drops characters XML does not allow. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF ? "" : null;
            };
            if (r != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (r != null) {
                    b.append(r);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** Appends a pixel coordinate rounded to a tenth, without a trailing ".0". */
    static StringBuilder px(StringBuilder sb, double v) {
        long r = Math.round(v * 10);
        if (r < 0) {
            sb.append('-');
            r = -r;
        }
        sb.append(r / 10);
        if (r % 10 != 0) {
            sb.append('.').append(r % 10);
        }
        return sb;
    }

    static String px(double v) {
        return px(new StringBuilder(8), v).toString();
    }
}
