package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.Toolchain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime trust check of the broker (src/broker/trust.c and runtime.c, docs/runtime.md) under
 * Wine, through src/testtools/trusttest.c and the real package:
 * <ol>
 * <li>the pure verdict over security descriptors written in SDDL, which Wine converts like Windows:
 * the real default ACLs of C:\, C:\Program Files and a user profile, and each way a grant must be
 * found (allow ACEs of every type, generic rights, deny ACEs that cannot help, inherit-only ACEs that
 * do not apply, the owner, a NULL DACL);</li>
 * <li>the live check: Wine keeps no DACL, so it cannot judge one (it says so), but it opens and holds
 * every checked file and folder: while held nothing can be renamed or overwritten, and java.exe
 * still starts and jvm.dll still loads; a link (reparse point) is refused;</li>
 * <li>among registered runtimes an elevated action takes the newest it does not refuse.</li>
 * </ol>
 * Unverified here, needing Windows: a live DACL read from NTFS, TrustedInstaller ownership, and the
 * Windows loader and JVM with the runtime's files held open.
 */
class RuntimeTrustIT {
    private static final String TI = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";
    private static final String USER = "S-1-5-21-1-2-3-1001";
    private static final String AU = "NT AUTHORITY\\Authenticated Users (S-1-5-11)";
    private static final String BU = "BUILTIN\\Users (S-1-5-32-545)";
    private static final String USER_WRITES = BU + " may write data, append data, write extended attributes, write attributes, delete or rename it";

    /** One SDDL case: a kind of trusttest (file, folder, ancestor, admin-only), edits, and "trusted" or "untrusted: <part of the reason>". */
    private record Case(String name, String kind, String sddl, String edits, String expected) {
        static Case of(String name, String kind, String sddl, String expected) {
            return new Case(name, kind, sddl, "", expected);
        }
    }

    // Real default ACLs, as far as public material shows them (none could be read on Windows here):
    // C:\ of Windows 10: the help text of Microsoft's SetObjectSecurity.exe 1.0.2004 ("Restore Windows 10
    //   default permissions on the C:\ root directory": owner TrustedInstaller, this DACL, a SACL
    //   label left out here), matching public Get-Acl captures of C:\ (same ACEs, another order).
    // C:\Program Files: public captures of Windows 10 1803 and 1903 defaults (icacls/cacls /s) and
    //   Get-Acl output; the same ACEs as C:\Windows. Owner and group TrustedInstaller.
    // A user profile: O:SYG:SYD:P plus SYSTEM, Administrators and the user with full control, as
    //   public Get-Acl captures of C:\Users\<name> and ...\AppData\Local show it.
    // Derived, not captured: what a folder and a file inherit under Program Files or C:\ follows the
    //   documented inheritance rules (an inheritable ACE with generic rights or CREATOR OWNER splits
    //   into an effective ACE, mapped to the creator, and an inherit-only copy), the creator being an
    //   elevated administrator, whose objects are owned by Administrators.
    private static final String C_ROOT = "O:" + TI + "G:" + TI
            + "D:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICI;0x1200a9;;;BU)(A;OICIIO;SDGXGWGR;;;AU)(A;;LC;;;AU)";
    private static final String PROGRAM_FILES = "O:" + TI + "G:" + TI + "D:PAI(A;;FA;;;" + TI + ")(A;CIIO;GA;;;" + TI + ")"
            + "(A;;0x1301bf;;;SY)(A;OICIIO;GA;;;SY)(A;;0x1301bf;;;BA)(A;OICIIO;GA;;;BA)(A;;0x1200a9;;;BU)(A;OICIIO;GXGR;;;BU)"
            + "(A;OICIIO;GA;;;CO)(A;;0x1200a9;;;AC)(A;OICIIO;GXGR;;;AC)(A;;0x1200a9;;;S-1-15-2-2)(A;OICIIO;GXGR;;;S-1-15-2-2)";
    private static final String JDK_UNDER_PROGRAM_FILES = "O:BAG:SYD:AI(A;ID;FA;;;" + TI + ")(A;CIIOID;GA;;;" + TI + ")"
            + "(A;ID;FA;;;SY)(A;OICIIOID;GA;;;SY)(A;ID;FA;;;BA)(A;OICIIOID;GA;;;BA)(A;ID;0x1200a9;;;BU)(A;OICIIOID;GXGR;;;BU)"
            + "(A;ID;FA;;;BA)(A;OICIIOID;GA;;;CO)(A;ID;0x1200a9;;;AC)(A;OICIIOID;GXGR;;;AC)(A;ID;0x1200a9;;;S-1-15-2-2)"
            + "(A;OICIIOID;GXGR;;;S-1-15-2-2)";
    private static final String FILE_UNDER_PROGRAM_FILES = "O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)(A;ID;FA;;;BA)"
            + "(A;ID;0x1200a9;;;AC)(A;ID;0x1200a9;;;S-1-15-2-2)";
    private static final String USER_PROFILE = "O:SYG:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;" + USER + ")";
    private static final String FOLDER_UNDER_C_ROOT = "O:BAG:SYD:AI(A;OICIID;FA;;;BA)(A;OICIID;FA;;;SY)(A;OICIID;0x1200a9;;;BU)"
            + "(A;ID;0x1301bf;;;AU)(A;OICIIOID;SDGXGWGR;;;AU)";
    private static final String USERS_MAY_WRITE = "O:BAD:PAI(A;;FA;;;BA)(A;;0x1301bf;;;BU)";

    private static final List<Case> CASES = List.of(
            Case.of("C:\\ above a runtime (Authenticated Users may add subfolders)", "ancestor", C_ROOT, "trusted"),
            Case.of("C:\\ as the runtime's own folder", "folder", C_ROOT, "untrusted: " + AU + " may add subfolders (ACE 4 grants 0x00000004)"),
            Case.of("C:\\Program Files above a runtime", "ancestor", PROGRAM_FILES, "trusted"),
            Case.of("C:\\Program Files as a runtime folder", "folder", PROGRAM_FILES, "trusted"),
            Case.of("a JDK folder under Program Files", "folder", JDK_UNDER_PROGRAM_FILES, "trusted"),
            Case.of("a JDK file under Program Files (read and execute for users)", "file", FILE_UNDER_PROGRAM_FILES, "trusted"),
            Case.of("a user profile above a runtime", "ancestor", USER_PROFILE,
                    "untrusted: " + USER + " may delete or rename what it contains, delete or rename it, change its permissions, take ownership"),
            Case.of("a user profile as a runtime folder", "folder", USER_PROFILE, "untrusted: " + USER + " may add files"),
            Case.of("a runtime folder an administrator made in C:\\ (inherits Modify for Authenticated Users)", "folder", FOLDER_UNDER_C_ROOT,
                    "untrusted: " + AU + " may add files, add subfolders, write extended attributes, write attributes, delete or rename it (ACE 3 grants 0x001301bf)"),
            new Case("a NULL DACL", "file", "O:BAD:PAI(A;;FA;;;BA)", "nulldacl", "untrusted: it has no DACL"),
            Case.of("owned by a user", "file", "O:" + USER + "D:PAI(A;;FA;;;BA)(A;;FA;;;SY)",
                    "untrusted: its owner " + USER + " is not Administrators, SYSTEM or TrustedInstaller"),
            Case.of("no owner", "file", "D:(A;;FA;;;BA)", "untrusted: it has no owner"),
            new Case("users may write: an ACCESS_ALLOWED_OBJECT ACE, no GUID", "file", USERS_MAY_WRITE, "ace1=object0", "untrusted: " + USER_WRITES),
            new Case("users may write: an ACCESS_ALLOWED_OBJECT ACE, both GUIDs", "file", USERS_MAY_WRITE, "ace1=object3", "untrusted: " + USER_WRITES),
            new Case("users may write: an ACCESS_ALLOWED_CALLBACK ACE", "file", USERS_MAY_WRITE, "ace1=callback", "untrusted: " + USER_WRITES),
            new Case("users may write: an ACCESS_ALLOWED_CALLBACK_OBJECT ACE", "file", USERS_MAY_WRITE, "ace1=callbackobject2", "untrusted: " + USER_WRITES),
            new Case("users may write: an ACCESS_ALLOWED_COMPOUND ACE (client Users)", "file", USERS_MAY_WRITE, "ace1=compound", "untrusted: " + USER_WRITES),
            new Case("an ACE type the check does not know", "file", "O:BAD:PAI(A;;FA;;;BA)(A;;0x1200a9;;;BU)", "ace1=type13",
                    "untrusted: its ACE 1 is of type 0x13, which this check does not know"),
            // an allow ACE retyped as an object ACE: its Flags are the SID's first bytes (0x201: a GUID
            // announced), so the SID would start past the end of the ACE
            new Case("an object ACE too short for its SID", "file", USERS_MAY_WRITE, "ace1=type5",
                    "untrusted: its ACE 1 (type 0x05) is too short for the SID it should hold"),
            Case.of("a deny ACE for users does not make their allow ACE safe", "file", "O:BAD:(D;;FA;;;BU)(A;;FA;;;BU)(A;;FA;;;BA)",
                    "untrusted: " + BU + " may write data"),
            Case.of("a deny ACE alone takes rights away only", "file", "O:BAD:(A;;FA;;;BA)(D;;FA;;;BU)", "trusted"),
            Case.of("an inherit-only write ACE for users on a file", "file", "O:BAD:(A;;FA;;;BA)(A;OICIIO;FA;;;BU)", "trusted"),
            Case.of("an inherit-only write ACE for users on a runtime folder", "folder", "O:BAD:(A;;FA;;;BA)(A;OICIIO;FA;;;BU)", "trusted"),
            Case.of("append data (add subfolders) for Authenticated Users above a runtime", "ancestor", "O:BAD:(A;;FA;;;BA)(A;;LC;;;AU)", "trusted"),
            Case.of("append data for Authenticated Users on a runtime folder", "folder", "O:BAD:(A;;FA;;;BA)(A;;LC;;;AU)",
                    "untrusted: " + AU + " may add subfolders"),
            Case.of("add files for Authenticated Users above a runtime", "ancestor", "O:BAD:(A;;FA;;;BA)(A;;0x2;;;AU)", "trusted"),
            Case.of("add files for Authenticated Users on a runtime folder", "folder", "O:BAD:(A;;FA;;;BA)(A;;0x2;;;AU)",
                    "untrusted: " + AU + " may add files"),
            Case.of("delete children for users above a runtime", "ancestor", "O:BAD:(A;;FA;;;BA)(A;;0x40;;;BU)",
                    "untrusted: " + BU + " may delete or rename what it contains"),
            Case.of("take ownership for users above a runtime", "ancestor", "O:BAD:(A;;FA;;;BA)(A;;WO;;;BU)", "untrusted: " + BU + " may take ownership"),
            Case.of("change permissions for users on a file", "file", "O:BAD:(A;;FA;;;BA)(A;;WD;;;BU)", "untrusted: " + BU + " may change its permissions"),
            Case.of("an unmapped GENERIC_WRITE for users above a runtime", "ancestor", "O:BAD:(A;;FA;;;BA)(A;;GW;;;BU)",
                    "untrusted: " + BU + " may hold GENERIC_WRITE"),
            Case.of("an unmapped GENERIC_ALL for users on a file", "file", "O:BAD:(A;;FA;;;BA)(A;;GA;;;BU)", "untrusted: " + BU + " may write data"),
            Case.of("MAXIMUM_ALLOWED for users on a file", "file", "O:BAD:(A;;FA;;;BA)(A;;0x02000000;;;BU)",
                    "untrusted: " + BU + " may hold MAXIMUM_ALLOWED"),
            Case.of("CREATOR OWNER and OWNER RIGHTS stand for a trusted owner", "file", "O:BAD:(A;;FA;;;BA)(A;;FA;;;CO)(A;;FA;;;OW)", "trusted"),
            Case.of("owned by TrustedInstaller, read for Authenticated Users", "file", "O:" + TI + "D:PAI(A;;FA;;;" + TI + ")(A;;0x1200a9;;;AU)", "trusted"),
            Case.of("an empty DACL: nobody but the owner", "file", "O:BAD:", "trusted"),
            Case.of("the extraction folder's own DACL", "admin-only", "O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)", "trusted"),
            Case.of("an extraction folder that inherits", "admin-only", "O:BAD:AI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)",
                    "untrusted: its DACL is not protected"),
            Case.of("an extraction folder that users may read", "admin-only", "O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICIIO;0x1200a9;;;BU)",
                    "untrusted: " + BU + " may have access"));

    private static WineTestBed bed;
    private static Path trusttest;
    private static Path jvmDll;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
        Path dir = Files.createDirectories(bed.work.resolve("trust"));
        trusttest = dir.resolve("trusttest.exe");
        Path broker = bed.repo.resolve("src/broker");
        new Toolchain().run(dir, Toolchain.GCC, List.of("-municode", "-O2", "-Wall", "-Wextra", "-Werror", "-o", trusttest.toString(),
                bed.repo.resolve("src/testtools/trusttest.c").toString(), broker.resolve("trust.c").toString(),
                broker.resolve("runtime.c").toString(), broker.resolve("msilog.c").toString(), "-lmsi", "-ladvapi32"));
        // a stand-in jvm.dll: loading it while the check holds it open is what matters
        Path jvmSource = dir.resolve("jvm.c");
        Files.writeString(jvmSource, "__declspec(dllexport) int jvm_probe(void) { return 7; }\n");
        jvmDll = dir.resolve("jvm.dll");
        new Toolchain().run(dir, Toolchain.GCC, List.of("-shared", "-O2", "-o", jvmDll.toString(), jvmSource.toString()));
    }

    @Test
    void theVerdictOverSecurityDescriptorsWrittenInSddl() throws Exception {
        long start = System.nanoTime();
        bed.scenario("trust-verdicts", wine -> {
            StringBuilder table = new StringBuilder();
            for (Case c : CASES) {
                table.append(c.kind()).append('\t').append(c.sddl()).append(c.edits().isEmpty() ? "" : "\t" + c.edits()).append('\n');
            }
            Path file = bed.logFor("trust-verdicts", "cases").resolveSibling("cases.tsv");
            Files.writeString(file, table, StandardCharsets.UTF_8);
            Map<Integer, String> verdicts = new LinkedHashMap<>();
            for (String line : wine.wine(trusttest.toString(), "table", WinePrefix.windowsPath(file)).lines().toList()) {
                if (line.startsWith("case ")) {
                    verdicts.put(Integer.parseInt(line.substring(5, line.indexOf(':'))), line.substring(line.indexOf(':') + 2));
                }
            }
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                String got = verdicts.getOrDefault(i + 1, "(no verdict)");
                boolean ok = c.expected().equals("trusted") ? got.equals("trusted") : got.startsWith("untrusted: ") && got.contains(c.expected().substring(11));
                System.out.printf("TRUST CASE %2d %-9s %-10s %s: %s%n", i + 1, ok ? "ok" : "WRONG", c.kind(), c.name(), got);
                if (!ok) {
                    wrong.add("case " + (i + 1) + " (" + c.name() + "): expected " + c.expected() + ", got " + got);
                }
            }
            assertEquals(List.of(), wrong, "verdicts of " + file);
        });
        report("SDDL verdicts", start, CASES.size() + " cases");
    }

    /** A runtime folder in the prefix: bin\java.exe is trusttest.exe (its "child" command exits 42). */
    private static Path runtimeIn(WinePrefix wine, String name, String javaVersion) throws Exception {
        Path home = Files.createDirectories(wine.root().resolve("drive_c/rt").resolve(name));
        Files.createDirectories(home.resolve("bin/server"));
        Files.copy(trusttest, home.resolve("bin/java.exe"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + javaVersion + "\"\n");
        return home;
    }

    @Test
    void theCheckedRuntimeIsHeldSoNothingCanBeSwappedUntilItIsReleased() throws Exception {
        long start = System.nanoTime();
        bed.scenario("trust-hold", wine -> {
            Path home = runtimeIn(wine, "jdk", "17.0.1");
            Files.copy(jvmDll, home.resolve("bin/server/jvm.dll"));
            Files.createDirectories(home.resolve("lib/security"));
            Files.writeString(home.resolve("lib/modules"), "modules");
            Files.writeString(home.resolve("lib/security/cacerts"), "cacerts");
            Files.createDirectories(home.resolve("conf/security"));
            Files.writeString(home.resolve("conf/security/java.security"), "security");
            // the path as a user might type it: checked, held and started as one full path
            List<String> facts = wine.wine(trusttest.toString(), "hold", "C:\\rt\\x\\..\\jdk\\").lines().toList();
            System.out.println("TRUST HOLD " + facts);
            assertEquals(List.of(
                    "check: ok C:\\rt\\jdk",
                    // Wine cannot judge a DACL (-1); held: C:\, C:\rt, the home, bin, bin\java.exe, bin\server,
                    // bin\server\jvm.dll, lib, lib\modules, lib\security, its cacerts, conf, conf\security, java.security
                    "trust=-1 held=14",
                    "rename bin\\java.exe: error 32",   // ERROR_SHARING_VIOLATION: held without share-delete
                    "rename home: error 32",
                    "rename parent: error 32",
                    "write bin\\java.exe: error 32",    // held without share-write
                    "write lib\\modules: error 32",
                    "start bin\\java.exe: exit 42",     // the held java.exe still starts
                    "load bin\\server\\jvm.dll: jvm_probe()=7",
                    "released held=0",
                    "rename bin\\java.exe: done",
                    "rename home: done"), facts);

            // a link anywhere in what is checked is refused, even under Wine (a Linux symbolic link to a
            // folder is a reparse point there, WINE-TESTBED.md)
            Path linked = runtimeIn(wine, "linked", "17.0.1");
            Path elsewhere = Files.createDirectories(wine.root().resolve("drive_c/elsewhere"));
            Files.createSymbolicLink(linked.resolve("lib"), elsewhere);
            assertEquals(List.of("check: ok C:\\rt\\linked", "trust=0 held=0",
                    "why=C:\\rt\\linked\\lib is a link (reparse point): an elevated install does not follow it to a runtime"),
                    wine.wine(trusttest.toString(), "hold", "C:\\rt\\linked").lines().toList());
            Files.createSymbolicLink(wine.root().resolve("drive_c/rt/homelink"), home);
            assertEquals(List.of("check: ok C:\\rt\\homelink", "trust=0 held=0",
                    "why=C:\\rt\\homelink is a link (reparse point): an elevated install does not follow it to a runtime"),
                    wine.wine(trusttest.toString(), "hold", "C:\\rt\\homelink").lines().toList());
        });
        report("held runtime", start, "renames and writes refused with 32 while held, java.exe started, jvm.dll loaded; links refused");
    }

    private static String install(WinePrefix wine, String scenario, int expectedExit) throws Exception {
        Path log = bed.logFor(scenario, "install");
        assertEquals(expectedExit, wine.msiexecLogged("/i", bed.probes.msi(), log), "exit code, log " + log);
        return WinePrefix.readLog(log);
    }

    /** A Java 21 registered beside the good Java 17, refused for its link: the newest only if it is not refused. */
    private static String registerRefusedJava21(WinePrefix wine) throws Exception {
        Path jdk21 = Files.createDirectories(wine.root().resolve("drive_c/Java/jdk-21/bin"));
        Files.copy(bed.runtimes.good().resolve("bin/java.exe"), jdk21.resolve("java.exe"));
        Files.writeString(jdk21.resolveSibling("release"), "JAVA_VERSION=\"21.0.1\"\n");
        Files.createSymbolicLink(jdk21.resolveSibling("lib"), Files.createDirectories(wine.root().resolve("drive_c/Java/elsewhere")));
        wine.wine("reg", "add", "HKLM\\SOFTWARE\\JavaSoft\\JDK\\21.0.1", "/v", "JavaHome", "/d", "C:\\Java\\jdk-21", "/f");
        return "C:\\Java\\jdk-21 (Java 21.0.1, registry: Oracle/OpenJDK (JavaSoft JDK)): C:\\Java\\jdk-21\\lib is a link (reparse point)";
    }

    @Test
    void anElevatedActionTakesTheNewestRegisteredRuntimeItDoesNotRefuse() throws Exception {
        long start = System.nanoTime();
        String good = WinePrefix.windowsPath(bed.runtimes.good());
        bed.scenario("trust-registry-prefers", wine -> {
            String refused = registerRefusedJava21(wine);
            wine.wine("reg", "add", "HKLM\\SOFTWARE\\JavaSoft\\JDK\\17.0.15", "/v", "JavaHome", "/d", good, "/f");
            String log = install(wine, "trust-registry-prefers", 0);
            assertTrue(log.contains("inuse broker: passed over the registered runtime " + refused), log);
            assertTrue(log.contains("inuse broker: InuseProbe: runtime " + good + " (Java 17.0.15, registry: Oracle/OpenJDK (JavaSoft JDK))"), log);
            assertTrue(log.contains("inuse broker: cannot verify that runtime " + good
                    + " can be changed only by Administrators, SYSTEM and TrustedInstaller: this platform (Wine) keeps no DACL"), log);
            assertTrue(log.contains("stay open, without share-delete, until the engine has ended"), log);
            // the held runtime's java.exe (the stand-in relay) started and the engine ran both actions
            assertTrue(log.contains("inuse broker: InuseProbeDeferred: engine read properties [CustomActionData]; result 0"), log);
        });
        bed.scenario("trust-registry-none-trusted", wine -> {
            String refused = registerRefusedJava21(wine);
            String log = install(wine, "trust-registry-none-trusted", 1603);
            assertTrue(log.contains("inuse broker: no registered Java runtime is usable: none of the 1 registered Java 17+ runtimes "
                    + "may be run by an elevated install; the newest, " + refused), log);
        });
        report("registered runtimes", start, "a refused Java 21 passed over for Java 17 (exit 0); alone it fails the action (1603)");
    }

    private static void report(String name, long start, String outcome) {
        System.out.printf("TRUST SCENARIO %s: PASS %s (%.1f s)%n", name, outcome, (System.nanoTime() - start) / 1e9);
    }
}
