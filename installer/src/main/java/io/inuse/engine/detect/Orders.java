package io.inuse.engine.detect;

import io.inuse.engine.machine.Service;
import java.util.Comparator;

/**
 * The orders {@link Detector} sorts by, as plain classes: a lambda or method reference costs an
 * invokedynamic bootstrap when the class loads, milliseconds of every detect action (measured by
 * packaging/bench/detect-lockers.sh).
 */
final class Orders {
    private Orders() {
    }

    /** Services by short name, without regard to case, then with it. */
    static final class ServiceOrder implements Comparator<Service> {
        @Override
        public int compare(Service a, Service b) {
            int c = String.CASE_INSENSITIVE_ORDER.compare(a.shortName(), b.shortName());
            return c != 0 ? c : a.shortName().compareTo(b.shortName());
        }
    }

    /** Lockers by pid, then image path. */
    static final class LockerOrder implements Comparator<Locker> {
        @Override
        public int compare(Locker a, Locker b) {
            int c = Long.compare(a.pid(), b.pid());
            return c != 0 ? c : a.imagePath().compareTo(b.imagePath());
        }
    }

    /** Unscanned processes by pid, then image path. */
    static final class UnscannedOrder implements Comparator<UnscannedProcess> {
        @Override
        public int compare(UnscannedProcess a, UnscannedProcess b) {
            int c = Long.compare(a.pid(), b.pid());
            return c != 0 ? c : a.imagePath().compareTo(b.imagePath());
        }
    }
}
