package io.inuse.engine.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inuse.engine.protocol.Frame;
import io.inuse.engine.protocol.Ops;
import io.inuse.engine.session.SessionException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BrokerMachine's WINDOW_TITLES and Restart Manager requests against canned broker replies: what it
 * sends, what it makes of a well-formed reply, and that any other shape is a SessionException.
 */
class BrokerMachineRmTest extends CannedBroker {
    private static final RmSession SESSION = new RmSession(7, "k");

    @Test
    void windowTitles() throws IOException {
        List<WindowTitle> titles = answer(m -> m.windowTitles(List.of(10L, 11L)), List.of(List.of(10L, "Notepad")));
        assertEquals(List.of(new WindowTitle(10, "Notepad")), titles);
        assertEquals(Ops.WINDOW_TITLES, sent.op());
        assertEquals(List.of(List.of(10L, 11L)), sent.values());
        assertEquals(List.of(), answer(m -> m.windowTitles(List.of(10L)), List.of()));
        badShape(m -> m.windowTitles(List.of(10L)));
        badShape(m -> m.windowTitles(List.of(10L)), List.of(List.of("10", "Notepad")));
        badShape(m -> m.windowTitles(List.of(10L)), List.of(List.of(10L)));
    }

    @Test
    void rmStartAndJoin() throws IOException {
        assertEquals(new RmSession(3, "abc"), answer(Machine::rmStart, 3L, "abc"));
        assertEquals(Ops.RM_START, sent.op());
        assertEquals(List.of(), sent.values());
        badShape(Machine::rmStart, 3L);
        badShape(Machine::rmStart, "abc", 3L);
        assertEquals(new RmSession(4, "key"), answer(m -> m.rmJoin("key"), 4L));
        assertEquals(Ops.RM_JOIN, sent.op());
        assertEquals(List.of("key"), sent.values());
        badShape(m -> m.rmJoin("key"), 4L, "key");
    }

    @Test
    void rmRegisterAndEnd() throws IOException {
        answer(m -> {
            m.rmRegister(SESSION, List.of("C:\\a.dll"), List.of("Svc"));
            return null;
        });
        assertEquals(Ops.RM_REGISTER, sent.op());
        assertEquals(List.of(7L, List.of("C:\\a.dll"), List.of("Svc")), sent.values());
        badShape(m -> {
            m.rmRegister(SESSION, List.of(), List.of());
            return null;
        }, 1L);
        answer(m -> {
            m.rmEnd(SESSION);
            return null;
        });
        assertEquals(Ops.RM_END, sent.op());
        assertEquals(List.of(7L), sent.values());
    }

    @Test
    void rmGetList() throws IOException {
        RmList list = answer(m -> m.rmGetList(SESSION), 1L, List.of(List.of(42L, "Notepad", "", 1L, 1L, 2L, 1L)));
        assertEquals(new RmList(1, List.of(new RmProcess(42, "Notepad", "", RmProcess.RM_MAIN_WINDOW, 1, 2, true))), list);
        assertEquals(Ops.RM_GET_LIST, sent.op());
        assertEquals(List.of(7L), sent.values());
        assertEquals(new RmList(0, List.of()), answer(m -> m.rmGetList(SESSION), 0L, List.of()));
        badShape(m -> m.rmGetList(SESSION), 0L);
        badShape(m -> m.rmGetList(SESSION), 0L, List.of(List.of(42L, "Notepad", "", 1L, 1L, 2L)));
        badShape(m -> m.rmGetList(SESSION), 0L, List.of(List.of(42L, "Notepad", "", 1L, 1L, 2L, 2L)));
        badShape(m -> m.rmGetList(SESSION), 0L, List.of(List.of(42L, "Notepad", 3L, 1L, 1L, 2L, 0L)));
    }

    @Test
    void aRefusalCarriesTheApiAndTheError() {
        SessionException e = assertThrows(SessionException.class,
                () -> reply(m -> m.rmGetList(SESSION), Frame.reply(1, 87, "protocol", "not a Restart Manager session", List.of())));
        assertEquals(87, e.win32Error());
        assertEquals("protocol", e.api());
    }
}
