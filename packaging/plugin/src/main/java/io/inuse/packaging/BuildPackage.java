package io.inuse.packaging;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The build as the Maven plugin's goal runs it ({@code io.inuse.maven.MsiMojo}, which builds this repository's demo
 * package too): builds the MSI, verifies it (and compares it with the goldens when given), writes its Group Policy
 * template, says where they are.
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
}
