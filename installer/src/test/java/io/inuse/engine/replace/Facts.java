package io.inuse.engine.replace;

import io.inuse.engine.detect.Detection.Verdict;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.pe.FileVersion;
import io.inuse.pe.PeInfo;
import java.util.List;
import java.util.Optional;

/** Builds {@link PlanFacts} for the plan's tests: by default a first install of 1.1.0.0 where nothing is yet. */
final class Facts {
    static final String PATH = "C:\\Windows\\System32\\MAPI32.DLL";
    static final String STAGED = "C:\\Program Files\\inuse\\{0E4BCAD8-6F21-4C51-9F2C-6DB6A6A8D2B1}\\staging\\MAPI32.DLL";

    Target target = new Target(KnownFolder.System, "", "MAPI32.DLL");
    String path = PATH;
    FileState existing = FileState.absent();
    FileState staged = version("1.1.0.0");
    boolean remote;
    boolean wrp;
    Verdict verdict = Verdict.ABSENT;
    List<Locker> lockers = List.of();
    FileState backup = FileState.absent();
    boolean ours;

    /** A versioned x64 DLL's state. */
    static FileState version(String version) {
        FileVersion v = FileVersion.parse(version);
        return FileState.pe(new PeInfo("x.dll", PeInfo.MACHINE_AMD64, true, Optional.of(v), Optional.of(v), List.of(1033)));
    }

    static FileState unversioned() {
        return FileState.pe(new PeInfo("x.dll", PeInfo.MACHINE_AMD64, true, Optional.empty(), Optional.empty(), List.of()));
    }

    /** The file in place and what the detector said about it. */
    Facts existing(FileState state, Verdict verdict) {
        this.existing = state;
        this.verdict = verdict;
        return this;
    }

    Facts lockers(Locker... lockers) {
        this.lockers = List.of(lockers);
        return this;
    }

    Facts staged(FileState state) {
        this.staged = state;
        return this;
    }

    Facts backup(FileState state) {
        this.backup = state;
        return this;
    }

    Facts ours() {
        this.ours = true;
        return this;
    }

    Facts path(String path) {
        this.path = path;
        return this;
    }

    Facts remote() {
        this.remote = true;
        return this;
    }

    Facts wrp() {
        this.wrp = true;
        return this;
    }

    PlanFacts build() {
        return new PlanFacts(target, path, existing, STAGED, staged, remote, wrp, verdict, lockers, backup, ours);
    }

    Plan.Step decide(boolean forceEqual) {
        return Plan.decide(build(), forceEqual);
    }
}
