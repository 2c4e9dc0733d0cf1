package org.intravis.pipeline.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fuzzed input for the parsers that take outside input: a valid sample, broken the ways real input breaks (cut off,
 * a byte flipped, a span dropped or repeated, a huge or negative number, a stray quote or bracket, control
 * characters, deep nesting), one to four times. Mutating valid input reaches far deeper into a parser than random
 * text, which mostly fails at the first character. Deterministic under jqwik's seed.
 */
public final class Mutations {
    private static final String[] NUMBERS = {"99999999999999999999999", "-1", "0", "-0", "2147483648", "-2147483649",
            "9223372036854775808", "1e309", "-1e309", "NaN", "Infinity", "0x10", "1.5", "4.9e-324", "007"};
    private static final String[] SPECIAL = {"\"", "'", "{", "}", "[", "]", ":", ",", "=", "&", "?", "#", "%", "%zz",
            "%00", "\\", "\n", "\r\n", "\t", "\u0000", "\u001f", "\u00ff", "\uFFFD", "\uD83D\uDE00", "\uD800", " ", "- ",
            "!!", "*", "&a", "<<", "null", "true", "~", "../", "//", "@", ";"};

    private Mutations() {
    }

    /** One of {@code valid}, mutated 1-4 times. */
    public static Arbitrary<String> of(List<String> valid) {
        return Arbitraries.randomValue(random -> mutate(valid.get(random.nextInt(valid.size())), random));
    }

    /** Like {@link #of}, but now and then the sample unchanged or wrapped in deep nesting ({@code open} x n + close x n). */
    public static Arbitrary<String> withNesting(List<String> valid, String open, String close) {
        return Arbitraries.randomValue(random -> {
            String base = valid.get(random.nextInt(valid.size()));
            int pick = random.nextInt(20);
            if (pick == 0) {
                return base;
            }
            if (pick == 1) {
                int n = 1 + random.nextInt(20_000);
                return open.repeat(n) + (random.nextBoolean() ? base : "") + close.repeat(random.nextInt(n + 1));
            }
            return mutate(base, random);
        });
    }

    static String mutate(String s, Random random) {
        StringBuilder b = new StringBuilder(s);
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            int at = b.length() == 0 ? 0 : random.nextInt(b.length() + 1);
            switch (random.nextInt(9)) {
                case 0 -> b.setLength(at); // cut off
                case 1 -> { // a character changed to any other
                    if (b.length() > 0) {
                        int p = Math.min(at, b.length() - 1);
                        b.setCharAt(p, (char) (b.charAt(p) ^ (1 << random.nextInt(8))));
                    }
                }
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(12))); // a span dropped
                case 3 -> { // a span repeated
                    int end = Math.min(b.length(), at + 1 + random.nextInt(24));
                    String span = b.substring(at, end);
                    b.insert(end, span.repeat(1 + random.nextInt(random.nextInt(10) == 0 ? 5_000 : 3)));
                }
                case 4 -> b.insert(at, NUMBERS[random.nextInt(NUMBERS.length)]);
                case 5 -> replaceNumber(b, random);
                case 6 -> b.insert(at, SPECIAL[random.nextInt(SPECIAL.length)]);
                case 7 -> b.insert(at, (char) random.nextInt(0x10000));
                default -> { // a random ASCII character somewhere
                    b.insert(at, (char) (32 + random.nextInt(95)));
                }
            }
        }
        return b.toString();
    }

    /** A run of digits in the sample replaced by a huge, negative or malformed number. */
    private static void replaceNumber(StringBuilder b, Random random) {
        int start = -1;
        int from = b.length() == 0 ? 0 : random.nextInt(b.length());
        for (int i = from; i < b.length(); i++) {
            if (Character.isDigit(b.charAt(i))) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            b.append(NUMBERS[random.nextInt(NUMBERS.length)]);
            return;
        }
        int end = start;
        while (end < b.length() && (Character.isDigit(b.charAt(end)) || b.charAt(end) == '.')) {
            end++;
        }
        b.replace(start, end, NUMBERS[random.nextInt(NUMBERS.length)]);
    }

    /** The result of a parse: what it returned, or what it threw. */
    public record Outcome<T>(T value, Throwable thrown) {
    }

    /**
     * Runs {@code parse} on a thread of its own and fails when it takes longer than {@code limit} (a hang is a bug
     * too), returning what it returned or threw. A thread that does not stop is left behind, a daemon.
     */
    public static <T> Outcome<T> within(Duration limit, java.util.concurrent.Callable<T> parse) {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzzed-parse");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<T> f = one.submit(parse);
            try {
                return new Outcome<>(f.get(limit.toMillis(), TimeUnit.MILLISECONDS), null);
            } catch (java.util.concurrent.ExecutionException e) {
                return new Outcome<>(null, e.getCause());
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new AssertionError("the parser did not finish within " + limit + " (a hang)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        } finally {
            one.shutdownNow();
        }
    }

    /**
     * Checks that {@code outcome} is a value or one of the {@code documented} exceptions with a message that says
     * something; anything else (a NullPointerException, an IndexOutOfBounds, a StackOverflowError, ...) is a bug.
     */
    @SafeVarargs
    public static void assertClean(String input, Outcome<?> outcome, Class<? extends Throwable>... documented) {
        Throwable t = outcome.thrown();
        if (t == null) {
            return;
        }
        for (Class<? extends Throwable> c : documented) {
            if (c.isInstance(t)) {
                if (t.getMessage() == null || t.getMessage().isBlank()) {
                    throw new AssertionError("no message in " + t + " for input " + abbreviate(input), t);
                }
                return;
            }
        }
        throw new AssertionError("unexpected " + t + " for input " + abbreviate(input), t);
    }

    public static String abbreviate(String s) {
        String shown = s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
        return "'" + shown.replace("\n", "\\n").replace("\r", "\\r") + "'";
    }
}
