package io.inuse.engine.replace;

import io.inuse.pe.FileVersion;
import io.inuse.pe.PeFormatException;
import io.inuse.pe.PeInfo;
import io.inuse.pe.PeReader;

/**
 * What reading one file gave: nothing there, a file whose bytes could not be read, bytes that are
 * no PE image, or a PE image with or without a version resource. The broker reads the bytes;
 * {@link #read} turns them into a state with the PE reader, so the plan never works on a
 * half-known file.
 *
 * @param kind    which of the four it is
 * @param pe      the PE reader's answer, for {@link Kind#PE} only (else null)
 * @param problem why the file could not be read, or the PE reader's message; "" for ABSENT and PE
 */
public record FileState(Kind kind, PeInfo pe, String problem) {
    public enum Kind {
        /** nothing exists at the path */
        ABSENT,
        /** something exists, but its bytes could not be read (the broker's API and error) */
        UNREADABLE,
        /** the bytes are not a PE image (the PE reader's message) */
        NOT_PE,
        /** a PE image; versioned when it has a version resource */
        PE
    }

    public FileState {
        if (kind == null) {
            throw new IllegalArgumentException("a file state needs a kind");
        }
        problem = problem == null ? "" : problem;
        boolean needsProblem = kind == Kind.UNREADABLE || kind == Kind.NOT_PE;
        if (needsProblem == problem.isEmpty()) {
            throw new IllegalArgumentException(needsProblem ? "a file state " + kind + " needs the reason"
                    : "a file state " + kind + " has no reason, got '" + problem + "'");
        }
        if ((kind == Kind.PE) != (pe != null)) {
            throw new IllegalArgumentException(kind == Kind.PE ? "a PE file state needs the PE reader's answer"
                    : "a file state " + kind + " has no PE information");
        }
    }

    public static FileState absent() {
        return new FileState(Kind.ABSENT, null, "");
    }

    /** A file that exists and could not be read, {@code why} naming the API and the error. */
    public static FileState unreadable(String why) {
        return new FileState(Kind.UNREADABLE, null, why);
    }

    public static FileState notPe(String why) {
        return new FileState(Kind.NOT_PE, null, why);
    }

    public static FileState pe(PeInfo info) {
        return new FileState(Kind.PE, info, "");
    }

    /** The state of a file whose bytes were read: a PE image, or NOT_PE with the PE reader's message. */
    public static FileState read(String path, byte[] bytes) {
        try {
            return pe(PeReader.read(path, bytes));
        } catch (PeFormatException e) {
            return notPe(e.getMessage());
        }
    }

    public boolean exists() {
        return kind != Kind.ABSENT;
    }

    /** The FileVersion of the version resource, null when the file is not a versioned PE image. */
    public FileVersion version() {
        return kind == Kind.PE && pe.fileVersion().isPresent() ? pe.fileVersion().get() : null;
    }

    /** For log lines: {@code "1.2.0.0"}, {@code "unversioned"}, {@code "absent"}, {@code "unreadable (...)"}, {@code "not a PE image (...)"}. */
    public String describe() {
        switch (kind) {
            case ABSENT:
                return "absent";
            case UNREADABLE:
                return "unreadable (" + problem + ")";
            case NOT_PE:
                return "not a PE image (" + problem + ")";
            default:
                FileVersion version = version();
                return version == null ? "unversioned" : version.toString();
        }
    }
}
