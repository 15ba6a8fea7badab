package io.inuse.packaging;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The build's entry point, run by Maven in the {@code package} phase of packaging/ (exec-maven-plugin):
 * builds the MSI, verifies it against the goldens, prints where it is.
 *
 * <p>Arguments: {@code --repo=DIR --out=DIR --revision=X.Y.Z --engine-jar=JAR [--payload=DLL]
 * [--runtime-image=DIR] --golden=DIR [--update-golden=true] [--sign-certificate=PFX] [--sign-password-file=FILE]
 * [--sign-timestamp-url=URL] [--sign-payload=true]}; the certificate's password comes from the file or from the
 * environment variable {@value Signing#PASSWORD_VARIABLE}, never from an argument.
 */
public final class BuildPackage {
    private BuildPackage() {
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
        var version = Revision.parse(revision);
        Optional<Path> payload = optionalPath(options, "payload", "-Dinuse.payload");
        Optional<Path> runtimeImage = optionalPath(options, "runtime-image", "-Dinuse.runtimeImage");
        Optional<Signing> signing = Signing.configure(tools, new Signing.Options(
                optionalPath(options, "sign-certificate", "-Dinuse.sign.certificate"),
                optionalPath(options, "sign-password-file", "-Dinuse.sign.passwordFile"),
                options.getOrDefault("sign-timestamp-url", ""), options.getOrDefault("sign-payload", "")),
                System.getenv(Signing.PASSWORD_VARIABLE));
        PackageBuilder.Spec spec = PackageBuilder.Spec.of(revision, payload,
                Path.of(required(options, "engine-jar")), runtimeImage);
        System.out.println(signing.map(Signing::summary)
                .orElse("inuse: not signed (no -Dinuse.sign.certificate): the package and the DLLs the build makes carry no Authenticode signature"));
        PackageBuilder.Result result = new PackageBuilder(tools, repo, signing).build(spec, Path.of(required(options, "out")));
        boolean update = Boolean.parseBoolean(options.getOrDefault("update-golden", "false"));
        Path golden = Path.of(required(options, "golden"));
        var files = new PackageVerifier(tools).compareWithGoldens(result.msi(), golden, result.productVersion(),
                result.payload(), update);
        System.out.println("inuse: " + (update ? "wrote " : "checked ") + files.size() + " golden table dumps in " + golden);
        System.out.println(runtimeImage.map(p -> "inuse: runtime image " + p + " embedded in the package")
                .orElse("inuse: no runtime image given (-Dinuse.runtimeImage): the package will use the target's Java (INUSE_JAVA_HOME or a registered Java 17+ x64)"));
        System.out.println("inuse: product '" + result.identity().productName() + "', UpgradeCode " + result.identity().upgradeCode()
                + ", ProductCode " + result.productCode() + " (named after the payload's file name " + result.payload().fileName() + ")");
        if (revision.split("\\.").length == 4) {
            System.out.println("inuse: note: -Drevision=" + revision + " has a fourth part (" + version.revision()
                    + "), which Windows Installer ignores when it compares versions: a package that differs only there neither upgrades nor is refused as a downgrade");
        }
        System.out.println("inuse: MSI built: " + result.msi() + " (ProductVersion " + result.productVersion() + ", "
                + result.payload().fileName() + " " + result.payload().version() + ", x64)");
        Path template = PolicyTemplate.write(result.msi().getParent(), MsiBuild.productFolder(result.payload().fileName()),
                result.identity().productName());
        System.out.println("inuse: Group Policy template: " + template + " and en-US/" + template.getFileName().toString()
                .replace(".admx", ".adml") + " (copy both into PolicyDefinitions)");
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
