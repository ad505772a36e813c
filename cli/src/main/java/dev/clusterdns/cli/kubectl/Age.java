package dev.clusterdns.cli.kubectl;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** kubectl's AGE column (apimachinery's HumanDuration). */
public final class Age {
    private Age() {}

    public static String since(String timestamp, Instant now) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return human(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    static String human(Duration d) {
        long s = d.getSeconds();
        if (s < -1) {
            return "<invalid>";
        }
        if (s < 0) {
            return "0s";
        }
        if (s < 60 * 2) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            long rem = s % 60;
            return rem == 0 ? m + "m" : m + "m" + rem + "s";
        }
        if (m < 60 * 3) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 8) {
            long rem = m % 60;
            return rem == 0 ? h + "h" : h + "h" + rem + "m";
        }
        if (h < 48) {
            return h + "h";
        }
        if (h < 24 * 8) {
            long rem = h % 24;
            return rem == 0 ? (h / 24) + "d" : (h / 24) + "d" + rem + "h";
        }
        if (h < 24 * 365 * 2) {
            return (h / 24) + "d";
        }
        if (h < 24 * 365 * 8) {
            long days = h / 24;
            long rem = days % 365;
            return rem == 0 ? (days / 365) + "y" : (days / 365) + "y" + rem + "d";
        }
        return (h / 24 / 365) + "y";
    }
}
