package io.inuse.packaging;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The build: {@link #build} runs for the Maven plugin's goal ({@code io.inuse.maven.MsiMojo}, which builds this
 * repository's demo package too); {@link #main} takes the same as {@code --name=value} arguments (tests): builds the
 * MSI, verifies it (and compares it with the goldens when given), prints where it is.
 *
 * <p>Arguments: {@code --repo=DIR --out=DIR --revision=X.Y.Z --engine-jar=JAR [--payload=DLL]
 * [--runtime-image=DIR] --golden=DIR [--update-golden=true] [--sign-certificate=PFX] [--sign-password-file=FILE]
 * [--sign-timestamp-url=URL] [--sign-payload=true]}; the certificate's password comes from the file or from the
 * environment variable {@value Signing#PASSWORD_VARIABLE}, never from an argument.
 */
public final class BuildPackage {
    private BuildPackage() {
    }

    /**
     * What one build needs: the sources (a folder with src/broker, src/launcher, src/payload and wix), the output
     * folder, the version, the payload (empty: the demo), the engine jar, an optional runtime image, the goldens to
     * compare with (empty: none), the signing configuration, and the UpgradeCode the project names (empty: derived).
     */
    public record Options(Path sources, Path out, String revision, Optional<Path> payload, Path engineJar, Optional<Path> runtimeImage,
            Optional<Path> golden, boolean updateGolden, Optional<Signing> signing, Optional<String> upgradeCode, PackageBuilder.Place place,
            List<PackageBuilder.Extra> extras, PackageBuilder.Product product) {
    }

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new BuildException("argument '" + arg + "' is not of the form --name=value");
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Toolchain tools = new Toolchain();
        Path repo = Path.of(required(options, "repo")).toAbsolutePath().normalize();
        String revision = options.getOrDefault("revision", "");
        Revision.parse(revision);
        Optional<Path> payload = optionalPath(options, "payload", "-Dinuse.payload");
        Optional<Path> runtimeImage = optionalPath(options, "runtime-image", "-Dinuse.runtimeImage");
        Optional<Signing> signing = Signing.configure(tools, new Signing.Options(
                optionalPath(options, "sign-certificate", "-Dinuse.sign.certificate"),
                optionalPath(options, "sign-password-file", "-Dinuse.sign.passwordFile"),
                options.getOrDefault("sign-timestamp-url", ""), options.getOrDefault("sign-payload", "")),
                System.getenv(Signing.PASSWORD_VARIABLE));
        build(tools, new Options(repo, Path.of(required(options, "out")), revision, payload, Path.of(required(options, "engine-jar")),
                runtimeImage, Optional.of(Path.of(required(options, "golden"))),
                Boolean.parseBoolean(options.getOrDefault("update-golden", "false")), signing, Optional.empty(), PackageBuilder.Place.SYSTEM,
                List.of(), PackageBuilder.Product.DERIVED), System.out::println);
    }

    /** Builds, checks (and compares with the goldens when given), writes the Group Policy template; each step said in one line. */
    public static PackageBuilder.Result build(Toolchain tools, Options o, Consumer<String> say) {
        var version = Revision.parse(o.revision());
        PackageBuilder.Spec spec = PackageBuilder.Spec.of(o.revision(), o.payload(), o.engineJar(), o.runtimeImage());
        if (o.upgradeCode().isPresent()) {
            spec = spec.withUpgradeCode(o.upgradeCode().get());
        }
        spec = spec.withPlaces(o.place(), o.extras()).withProduct(o.product());
        say.accept(o.signing().map(Signing::summary)
                .orElse("inuse: not signed (no signing certificate): the package and the DLLs the build makes carry no Authenticode signature"));
        PackageBuilder.Result result = new PackageBuilder(tools, o.sources(), o.signing()).build(spec, o.out());
        if (o.golden().isPresent()) {
            Path golden = o.golden().get();
            var files = new PackageVerifier(tools).compareWithGoldens(result.msi(), golden, result.productVersion(),
                    result.payload(), o.updateGolden());
            say.accept("inuse: " + (o.updateGolden() ? "wrote " : "checked ") + files.size() + " golden table dumps in " + golden);
        }
        say.accept(o.runtimeImage().map(p -> "inuse: runtime image " + p + " embedded in the package")
                .orElse("inuse: no runtime image given: the package will use the target's Java (INUSE_JAVA_HOME or a registered Java 17+ x64)"));
        say.accept("inuse: product '" + result.identity().productName() + "' (id " + result.identity().productId() + ", manufacturer "
                + result.identity().manufacturer() + "), UpgradeCode " + result.identity().upgradeCode() + ", ProductCode "
                + result.productCode() + (o.upgradeCode().isPresent() ? " (the UpgradeCode as given)"
                : " (derived from the payload's file name " + result.payload().fileName() + ")"));
        say.accept("inuse: policy defaults of the package: " + (o.product().defaults().isEmpty() ? "none (inuse's: defer, reboot, 0)"
                : String.join(", ", o.product().defaults().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())));
        if (o.revision().split("\\.").length == 4) {
            say.accept("inuse: note: version " + o.revision() + " has a fourth part (" + version.revision()
                    + "), which Windows Installer ignores when it compares versions: a package that differs only there neither upgrades nor is refused as a downgrade");
        }
        say.accept("inuse: MSI built: " + result.msi() + " (ProductVersion " + result.productVersion() + ", "
                + result.payload().fileName() + " " + result.payload().version() + ", x64)");
        Path template = PolicyTemplate.write(result.msi().getParent(), result.identity().productId(), result.identity().productName(),
                o.product().defaults());
        say.accept("inuse: Group Policy template: " + template + " and en-US/" + template.getFileName().toString()
                .replace(".admx", ".adml") + " (copy both into PolicyDefinitions)");
        return result;
    }

    /** A path option, absent when empty; a path this JVM cannot encode is refused with the fix (a UTF-8 locale). */
    private static Optional<Path> optionalPath(Map<String, String> options, String name, String property) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(value).toAbsolutePath());
        } catch (InvalidPathException e) {
            // no cause attached: Maven would print its message a second time
            throw new BuildException(property + "=" + value + " cannot be opened: this JVM encodes file names in "
                    + System.getProperty("sun.jnu.encoding") + ", which cannot hold that path (" + e.getReason() + ")."
                    + " Run Maven in a UTF-8 locale, for example LANG=C.UTF-8 mvn -B package ...");
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new BuildException("missing argument --" + name + "=...");
        }
        return value;
    }
}
