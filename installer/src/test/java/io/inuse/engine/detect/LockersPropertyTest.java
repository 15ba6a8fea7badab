package io.inuse.engine.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inuse.engine.detect.Locker.Kind;
import io.inuse.engine.machine.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockersPropertyTest {
    @Test
    void theEncodingIsReadableForPlainValues() {
        List<Locker> lockers = List.of(new Locker(77, "C:\\Program Files\\UPS\\upsmon.exe", Kind.APPLICATION, List.of()),
                new Locker(912, "C:\\Windows\\System32\\svchost.exe", Kind.SERVICE,
                        List.of(new Service("a", "Alpha", 912), new Service("b", "Beta", 912))));
        String text = LockersProperty.encode(lockers);
        assertEquals("77|APPLICATION|C:\\Program Files\\UPS\\upsmon.exe||;912|SERVICE|C:\\Windows\\System32\\svchost.exe|a,b|Alpha,Beta", text);
        assertEquals(lockers, LockersProperty.decode(text));
        assertEquals("INUSE_LOCKERS", LockersProperty.NAME);
    }

    @Test
    void awkwardValuesRoundTrip() {
        List<Locker> lockers = List.of(
                new Locker(4, "", Kind.CRITICAL, List.of()),
                new Locker(5, "C:\\a|b;c,d%41\\[x]{y}\\\\e\\", Kind.APPLICATION, List.of()),
                new Locker(6, "D:\\odd\r\nname\t.exe", Kind.SERVICE,
                        List.of(new Service("s,1", "One; or |two|", 6), new Service("s%2", "", 6), new Service("\\s3\\", "[Three]", 6))));
        String text = LockersProperty.encode(lockers);
        assertEquals(lockers, LockersProperty.decode(text));
        assertEquals("4|CRITICAL|||;5|APPLICATION|C:\\a%7Cb%3Bc%2Cd%2541\\%5Bx%5D%7By%7D\\\\e\\||;"
                + "6|SERVICE|D:\\odd%0D%0Aname%09.exe|s%2C1,s%252,\\s3\\|One%3B or %7Ctwo%7C,,%5BThree%5D", text);
        assertEquals(List.of(), LockersProperty.decode(LockersProperty.encode(List.of())));
        assertEquals("", LockersProperty.encode(List.of()));
    }

    @Test
    void aServiceWithoutADisplayNameRoundTrips() {
        List<Locker> lockers = List.of(new Locker(5, "C:\\x.exe", Kind.SERVICE, List.of(new Service("svc", "", 5))),
                new Locker(6, "C:\\y.exe", Kind.SERVICE, List.of(new Service("a", "", 6), new Service("b", "B", 6))));
        assertEquals("5|SERVICE|C:\\x.exe|svc|;6|SERVICE|C:\\y.exe|a,b|,B", LockersProperty.encode(lockers));
        assertEquals(lockers, LockersProperty.decode(LockersProperty.encode(lockers)));
    }

    @Test
    void malformedTextIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LockersProperty.decode("77|APPLICATION|x|"));
        assertThrows(IllegalArgumentException.class, () -> LockersProperty.decode("x|APPLICATION|x||"));
        assertThrows(IllegalArgumentException.class, () -> LockersProperty.decode("77|GHOST|x||"));
        assertThrows(IllegalArgumentException.class, () -> LockersProperty.decode("77|SERVICE|x|a,b|A"));
        assertThrows(IllegalArgumentException.class, () -> LockersProperty.decode("77|APPLICATION|x%4||"));
        assertThrows(IllegalArgumentException.class, () -> LockersProperty.decode("77|APPLICATION|x%zz||"));
    }
}
