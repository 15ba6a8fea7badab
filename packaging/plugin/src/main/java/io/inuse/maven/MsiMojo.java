package io.inuse.maven;

import io.inuse.packaging.BuildException;
import io.inuse.packaging.BuildPackage;
import io.inuse.packaging.MojoChecks;
import io.inuse.packaging.PackageBuilder;
import io.inuse.packaging.Signing;
import io.inuse.packaging.Toolchain;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Builds the MSI around the project's DLL with the inuse custom actions (README, "The Maven plugin"): the broker and
 * the command line compiled with mingw-w64, the package with msitools, checked as this repository's own build checks
 * its demo, optionally signed, with its Group Policy template beside it; the MSI is attached to the project (type
 * {@code msi}) so that {@code install} and {@code deploy} carry it. A bad parameter or file stops the build with one
 * line that names it.
 */
@Mojo(name = "msi", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class MsiMojo extends AbstractMojo {
    /**
     * The package's UpgradeCode, a GUID that names the product for every version of it; mandatory (never change it), or
     * {@code derived}: derived from productId when it is given, else from the first DLL's file name, as this repository's demo build does.
     */
    @Parameter
    private String upgradeCode;

    /**
     * The product id: the product's folder (Program Files\inuse\ID), its registry and policy keys
     * (HKLM\SOFTWARE\inuse\ID, HKLM\SOFTWARE\Policies\inuse\ID) and its Group Policy template's name; letters, digits,
     * spaces and ._-+()&amp;,!@$, at most 40. By default the first DLL's file name without its extension. Never change it
     * between versions: an upgrade would not find the earlier version's backups.
     */
    @Parameter(property = "inuse.productId")
    private String productId;

    /** The ProductName (Add/Remove Programs, the dialogs), printable ASCII, at most 64; by default "inuse STEM replacement". */
    @Parameter(property = "inuse.productName")
    private String productName;

    /** The Manufacturer (Add/Remove Programs' publisher), printable ASCII, at most 64; by default "inuse". */
    @Parameter(property = "inuse.manufacturer")
    private String manufacturer;

    /**
     * The package's default for INUSE_WHEN_LOCKED, what an install does when a process or service holds a DLL:
     * defer (replace it at the next reboot, 3010; inuse's default), fail (stop the install, 1603) or stopservices
     * (stop the services that hold it, replace it, start them again). The install's property and the Group Policy
     * value override it.
     */
    @Parameter
    private String whenLocked;

    /**
     * The package's default for INUSE_STRATEGY, how a held DLL is replaced: reboot (moved in at the next reboot; inuse's
     * default) or renameaside (renamed aside, the new one in place at once). The property and the policy override it.
     */
    @Parameter
    private String strategy;

    /**
     * The package's default for INUSE_FORCE_EQUAL: true replaces a DLL of the same version too (never an older over a
     * newer); false is inuse's default. The property and the policy override it.
     */
    @Parameter
    private String forceEqual;

    /**
     * The ProductVersion: two to four numbers (major and minor up to 255, build up to 65535). By default the project's
     * version; a qualifier such as {@code -SNAPSHOT} is refused (two builds of one version would share a ProductCode,
     * and Windows Installer refuses the second with 1638): map it here explicitly.
     */
    @Parameter(defaultValue = "${project.version}")
    private String productVersion;

    /**
     * The DLLs the package installs and replaces, each a payload element with its file, the known folder it goes into
     * (System, Windows, ProgramFiles, ProgramFilesCommon, ProgramData; System by default) and a path inside that folder.
     * The first names the product (its folder, ProductName, MSI file name).
     */
    @Parameter
    private List<Payload> payloads;

    /** A Windows x64 Java 17+ runtime image to embed (a folder with bin/java.exe and release); by default none. */
    @Parameter
    private String runtimeImage;

    /** A PKCS#12 file (.pfx, .p12) with the code-signing key and certificate: the package and what the build makes are signed. */
    @Parameter(property = "inuse.sign.certificate")
    private String signingCertificate;

    /** A file holding the certificate's password (else the environment variable INUSE_SIGN_PASSWORD). */
    @Parameter(property = "inuse.sign.passwordFile")
    private String signingPasswordFile;

    /** An http(s) RFC 3161 time-stamp server for the signatures; by default none. */
    @Parameter(property = "inuse.sign.timestampUrl", defaultValue = "")
    private String timestampUrl;

    /** With a signing certificate: sign the payload DLLs too (a signed copy goes into the package; a DLL signed already is refused). */
    @Parameter(property = "inuse.sign.payload", defaultValue = "false")
    private boolean signPayloads;

    /** Golden table dumps to compare the package with (this repository's demo); by default none. */
    @Parameter
    private File goldenDirectory;

    /** Rewrite the golden dumps instead of comparing. */
    @Parameter(property = "inuse.updateGolden", defaultValue = "false")
    private boolean updateGolden;

    /** Where the MSI, its Group Policy template and the build's files go. */
    @Parameter(defaultValue = "${project.build.directory}", required = true)
    private File outputDirectory;

    /** Skip the goal. */
    @Parameter(property = "inuse.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${plugin}", readonly = true, required = true)
    private PluginDescriptor plugin;

    @Component
    private MavenProjectHelper projectHelper;

    @Override
    public void execute() throws MojoFailureException {
        if (skip) {
            getLog().info("inuse: skipped (inuse.skip)");
            return;
        }
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            throw new MojoFailureException("inuse-maven-plugin builds on Linux (Debian 12 with packaging/install-toolchain.sh: msitools,"
                    + " mingw-w64): its dialogs and the fixes after wixl need msibuild, which has no Windows build; run the build there");
        }
        try {
            List<MojoChecks.PayloadFile> checked = MojoChecks.payloads(payloads == null ? List.of() : payloads.stream()
                    .map(p -> new MojoChecks.PayloadFile(p.getFile(), p.getFolder(), p.getPath(), p.getName())).toList());
            MojoChecks.PayloadFile payload = checked.get(0);
            List<PackageBuilder.Extra> extras = checked.subList(1, checked.size()).stream()
                    .map(p -> new PackageBuilder.Extra(p.getFile().toPath().toAbsolutePath(), place(p))).toList();
            String version = MojoChecks.version(productVersion);
            Toolchain tools = new Toolchain();
            Optional<Signing> signing = Signing.configure(tools, new Signing.Options(path("signingCertificate", signingCertificate),
                    path("signingPasswordFile", signingPasswordFile), timestampUrl == null ? "" : timestampUrl,
                    signPayloads ? "true" : ""), System.getenv(Signing.PASSWORD_VARIABLE));
            Path out = outputDirectory.toPath().toAbsolutePath();
            Path sources = extractSources(out.resolve("inuse-build"));
            BuildPackage.Options options = new BuildPackage.Options(sources, out, version, Optional.of(payload.getFile().toPath().toAbsolutePath()),
                    engineJar(), path("runtimeImage", runtimeImage),
                    Optional.ofNullable(goldenDirectory).map(f -> f.toPath().toAbsolutePath()), updateGolden, signing,
                    MojoChecks.upgradeCode(upgradeCode), place(payload), extras,
                    MojoChecks.product(productId, productName, manufacturer, whenLocked, strategy, forceEqual));
            PackageBuilder.Result result = BuildPackage.build(tools, options, getLog()::info);
            projectHelper.attachArtifact(project, "msi", result.msi().toFile());
        } catch (BuildException | IllegalArgumentException e) {
            throw new MojoFailureException(MsiMojoTerms.of(e.getMessage()));
        }
    }

    /**
     * A path parameter, empty when it is not set or blank (a property such as inuse.sign.certificate that a POM declares
     * empty: Maven would turn an empty File parameter into the project's folder). Relative to the project's folder.
     */
    private Optional<java.nio.file.Path> path(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(project.getBasedir().toPath().resolve(value.strip()).toAbsolutePath().normalize());
        } catch (java.nio.file.InvalidPathException e) {
            throw new BuildException("<" + parameter + ">" + value + "</" + parameter + "> cannot be opened: this JVM encodes file names in "
                    + System.getProperty("sun.jnu.encoding") + ", which cannot hold it (" + e.getReason() + "). Run Maven in a UTF-8"
                    + " locale, for example LANG=C.UTF-8 mvn -B package");
        }
    }

    private static PackageBuilder.Place place(MojoChecks.PayloadFile payload) {
        return new PackageBuilder.Place(payload.getFolder() == null ? "System" : payload.getFolder(), payload.getPath() == null ? "" : payload.getPath());
    }

    /** The engine jar: the plugin's own dependency io.inuse:inuse-installer. */
    private Path engineJar() {
        Artifact engine = plugin.getArtifactMap().get("io.inuse:inuse-installer");
        if (engine == null || engine.getFile() == null) {
            throw new BuildException("the plugin's engine (io.inuse:inuse-installer) was not resolved with it: reinstall the plugin");
        }
        return engine.getFile().toPath();
    }

    /** The native and WiX sources packed into the plugin (inuse-build/), copied to {@code dir}; the folder. */
    private Path extractSources(Path where) {
        Path dir = where.toAbsolutePath().normalize();
        Path location;
        try {
            // what an earlier version of the plugin unpacked goes first: the build compiles every .c file it finds
            if (Files.isDirectory(dir)) {
                org.apache.commons.io.FileUtils.cleanDirectory(dir.toFile());
            }
            location = Path.of(MsiMojo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Files.createDirectories(dir);
            if (Files.isDirectory(location)) {
                Path root = location.resolve("inuse-build");
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Path target = dir.resolve(root.relativize(file).toString());
                        Files.createDirectories(target.getParent());
                        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry entry = entries.nextElement();
                        if (entry.isDirectory() || !entry.getName().startsWith("inuse-build/")) {
                            continue;
                        }
                        Path target = dir.resolve(entry.getName().substring("inuse-build/".length())).normalize();
                        if (!target.startsWith(dir)) {
                            throw new BuildException("the plugin jar holds an entry outside inuse-build/: " + entry.getName());
                        }
                        Files.createDirectories(target.getParent());
                        try (InputStream in = jar.getInputStream(entry)) {
                            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new BuildException("cannot unpack the plugin's native and WiX sources into " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }
}
