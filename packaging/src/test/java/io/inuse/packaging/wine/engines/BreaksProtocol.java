package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.protocol.Frame;
import io.inuse.engine.protocol.FrameCodec;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A test engine that misuses the protocol. Immediate action: a well-formed request with an unknown
 * op (99) must get an error reply and the conversation goes on (the real probe then runs).
 * Deferred action: a frame whose value tag is unknown must end the action with a log line.
 */
public final class BreaksProtocol {
    private BreaksProtocol() {
    }

    public static void main(String[] args) throws IOException {
        InputStream in = System.in;
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        boolean deferred = args[args.length - 1].equals(Probe.DEFERRED);
        if (!deferred) {
            System.exit(Main.serve(session -> {
                FrameCodec.write(out, Frame.request(1000, 99, List.of("what is this?")));
                Frame reply = FrameCodec.read(in);
                session.log("unknown op 99 answered: status " + reply.status() + ", api " + reply.api() + ", " + reply.message());
                new Probe().run(session);
            }, in, out, System.err));
        }
        // its last words first: the broker must quote them however late they reach its stderr reader
        System.err.println("test engine BreaksProtocol: about to send a frame with value tag 9");
        System.err.flush();
        // length 12: kind 1, id 1, op 2, a list of one value with the unknown tag 9
        out.write(new byte[] {12, 0, 0, 0, 1, 1, 0, 0, 0, 2, 0, 1, 0, 0, 0, 9});
        out.flush();
        in.readAllBytes();   // the error reply, then the end of stdin: the broker is done with us
        System.exit(0);
    }
}
