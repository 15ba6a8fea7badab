package io.inuse.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an immediate action hands to a deferred one. On Windows a deferred action reads no
 * property but CustomActionData, so everything it needs travels here, in the format of
 * docs/custom-action-data.md: {@code inuse1;} then {@code KEY=LENGTH:VALUE;} per entry, LENGTH
 * counting the UTF-16 code units of VALUE, so a value may hold anything (';', '=', newlines).
 * The broker (C) reads INUSE_JAVA_HOME and INUSE_ENGINE_TIMEOUT from the same text.
 */
public final class CustomActionData {
    static final String MAGIC = "inuse1;";
    /** A key: 1 to 128 of A-Z a-z 0-9 _ . (checked by hand: java.util.regex would cost every action's start-up). */
    static boolean isKey(String key) {
        if (key.isEmpty() || key.length() > 128) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLength(String digits) {
        if (digits.isEmpty() || digits.length() > 9) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private final Map<String, String> entries;

    private CustomActionData(Map<String, String> entries) {
        this.entries = Collections.unmodifiableMap(entries);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Entries in the order they were put. */
    public Map<String, String> entries() {
        return entries;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** The value of a key the deferred action cannot work without. */
    public String require(String key) {
        String value = entries.get(key);
        if (value == null) {
            throw new IllegalArgumentException("CustomActionData has no " + key + " (keys: " + entries.keySet()
                    + "): the immediate action that schedules this one did not pass it");
        }
        return value;
    }

    public String encode() {
        StringBuilder out = new StringBuilder(MAGIC);
        for (Map.Entry<String, String> e : entries.entrySet()) {
            out.append(e.getKey()).append('=').append(e.getValue().length()).append(':').append(e.getValue()).append(';');
        }
        return out.toString();
    }

    /**
     * @throws IllegalArgumentException naming the position and what is wrong, for any text that is
     *     not exactly what {@link #encode()} writes
     */
    public static CustomActionData decode(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("CustomActionData is empty: this deferred action was not scheduled by the inuse immediate action");
        }
        if (!text.startsWith(MAGIC)) {
            throw new IllegalArgumentException("CustomActionData does not start with '" + MAGIC + "': it was not written by inuse");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        int at = MAGIC.length();
        while (at < text.length()) {
            int eq = text.indexOf('=', at);
            int colon = eq < 0 ? -1 : text.indexOf(':', eq);
            if (eq < 0 || colon < 0) {
                throw malformed(at, "an entry must be KEY=LENGTH:VALUE;");
            }
            String key = text.substring(at, eq);
            if (!isKey(key)) {
                throw malformed(at, "key '" + key + "' is not 1-128 of A-Z a-z 0-9 _ .");
            }
            String digits = text.substring(eq + 1, colon);
            if (!isLength(digits)) {
                throw malformed(eq + 1, "length '" + digits + "' of " + key + " is not a number");
            }
            int length = Integer.parseInt(digits);
            int end = colon + 1 + length;
            if (end >= text.length() || text.charAt(end) != ';') {
                throw malformed(colon + 1, "the value of " + key + " (" + length + " characters) is not followed by ';'");
            }
            if (entries.put(key, text.substring(colon + 1, end)) != null) {
                throw malformed(at, "key " + key + " appears twice");
            }
            at = end + 1;
        }
        return new CustomActionData(entries);
    }

    private static IllegalArgumentException malformed(int position, String problem) {
        return new IllegalArgumentException("CustomActionData is malformed at character " + position + ": " + problem);
    }

    /** Collects entries; a null value is left out, so optional settings need no special case. */
    public static final class Builder {
        private final Map<String, String> entries = new LinkedHashMap<>();

        public Builder put(String key, String value) {
            if (!isKey(key)) {
                throw new IllegalArgumentException("CustomActionData key '" + key + "' is not 1-128 of A-Z a-z 0-9 _ .");
            }
            if (value != null && entries.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException("CustomActionData key " + key + " is set twice");
            }
            return this;
        }

        public CustomActionData build() {
            return new CustomActionData(new LinkedHashMap<>(entries));
        }
    }
}
