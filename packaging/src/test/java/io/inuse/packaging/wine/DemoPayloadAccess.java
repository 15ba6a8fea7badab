package io.inuse.packaging.wine;

import io.inuse.packaging.DemoPayload;
import io.inuse.pe.FileVersion;
import java.nio.file.Path;

/** The demo DLL at another version, for a scenario's "original" file. */
final class DemoPayloadAccess {
    private DemoPayloadAccess() {
    }

    static Path build(WineTestBed bed, FileVersion version, Path dir) throws Exception {
        return DemoPayload.build(bed.tools, bed.repo.resolve("src/payload"), version, dir);
    }
}
