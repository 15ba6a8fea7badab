package io.inuse.packaging;

import io.inuse.engine.detect.BuiltInProduct;
import io.inuse.engine.replace.Policy;
import io.inuse.pe.FileVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds one MSI: the payload (the demo MAPI32.DLL from src/payload, or the user's DLL), checked
 * with the PE reader; wix/product.wxs through wixl and msibuild, the product named after the
 * payload ({@link ProductIdentity}), the broker carrying the engine and the package's targets
 * ({@link PackageTargets}); then the targets' File rows and the package's facts. Given a {@link Signing},
 * each file it makes is signed right after it is built, and the MSI before the checks.
 * Used by the Maven build and by the Wine tests, which build several versions.
 */
public final class PackageBuilder {
    /** What a build produced. {@code productVersion} is ${revision} as given. */
    public record Result(Path msi, Payload payload, String productVersion) {
        /** The product, named after the payload: UpgradeCode, component GUID, ProductName. */
        public ProductIdentity identity() {
            return payload.identity();
        }

        /** The ProductCode of this version, as the Property table has it (with braces). */
        public String productCode() {
            return identity().productCode(productVersion);
        }
    }

    /**
     * What to build. {@code pak}: the engine pak's entries, normally {@link EnginePak#entries} of the
     * engine jar and the runtime image; tests pass their own (a tampered digest, say). The build adds
     * the target list ({@link PackageTargets}, derived from the payload) after the engine jar unless
     * {@code pak} holds an {@code engine/inuse-targets.jar} already.
     */
    public record Spec(String revision, Optional<Path> payload, List<EnginePak.Entry> pak, Optional<String> upgradeCode, Place place,
            List<Extra> extras, Product product) {
        public Spec(String revision, Optional<Path> payload, List<EnginePak.Entry> pak) {
            this(revision, payload, pak, Optional.empty(), Place.SYSTEM, List.of(), Product.DERIVED);
        }

        /** The same with the UpgradeCode the project names (the Maven plugin's), instead of the one derived from the payload's name. */
        public Spec withUpgradeCode(String code) {
            return new Spec(revision, payload, pak, Optional.of(code), place, extras, product);
        }

        /** The same with the payload placed there, and more DLLs in the package (the Maven plugin's payloads after the first). */
        public Spec withPlaces(Place first, List<Extra> more) {
            return new Spec(revision, payload, pak, upgradeCode, first, List.copyOf(more), product);
        }

        /** The same with the product's id, names and policy defaults the project gives. */
        public Spec withProduct(Product given) {
            return new Spec(revision, payload, pak, upgradeCode, place, extras, given);
        }

        public static Spec of(String revision, Optional<Path> payload, Path engineJar, Optional<Path> runtimeImage) {
            return new Spec(revision, payload, EnginePak.entries(engineJar, runtimeImage.orElse(null)));
        }

        public boolean embedsRuntime() {
            return pak.stream().anyMatch(e -> e.name().startsWith(EnginePak.RUNTIME));
        }
    }

    /**
     * The product as its project names it: id, ProductName, Manufacturer (null: derived from the first DLL's name, see
     * {@link ProductIdentity}) and the package's policy defaults by property name (INUSE_WHEN_LOCKED, ...; empty: inuse's).
     */
    public record Product(String id, String name, String manufacturer, Map<String, String> defaults) {
        public static final Product DERIVED = new Product(null, null, null, Map.of());

        public Product {
            defaults = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(defaults));
        }
    }

    /** Where a payload goes on the target machine: a known folder's name and a path inside it ("" for the folder). */
    public record Place(String folder, String relative) {
        public static final Place SYSTEM = new Place("System", "");
    }

    /** A DLL of the package beside the first one, and where it goes. */
    public record Extra(Path file, Place place) {
    }

    private final Toolchain tools;
    private final Path repo;
    private final Optional<Signing> signing;

    public PackageBuilder(Toolchain tools, Path repo) {
        this(tools, repo, Optional.empty());
    }

    /** With {@code signing}, every file the build makes is Authenticode-signed before it goes into the package, and the package last. */
    public PackageBuilder(Toolchain tools, Path repo, Optional<Signing> signing) {
        this.tools = tools;
        this.repo = repo;
        this.signing = signing;
    }

    public Result build(Spec spec, Path outDir) {
        String revision = spec.revision();
        FileVersion version = parseRevision(revision);
        prepareOutputFolder(outDir);
        Path raw = spec.payload().isPresent() ? spec.payload().get()
                : DemoPayload.build(tools, repo.resolve("src/payload"), version, outDir.resolve("native-" + revision));
        // the product as named (checked before anything is signed; its name is every signature's description)
        String productName = named(Payload.inspect(raw), spec).identity().productName();
        Path dll = spec.payload().isPresent() ? userPayload(raw, outDir.resolve("signed-" + revision), productName) : signed(raw, productName);
        Payload payload = named(Payload.inspect(dll), spec);
        BuiltInProduct product = builtIn(payload.identity(), spec.product().defaults());
        List<Payload> extras = new ArrayList<>();
        for (Extra extra : spec.extras()) {
            extras.add(Payload.inspect(userPayload(extra.file(), outDir.resolve("signed-" + revision), productName)));
        }
        List<PackageTargets.Entry> targets = PackageTargets.of(payload, spec.place(), extras, spec.extras());
        PackageTargets.check(targets);
        List<EnginePak.Entry> pak = PackageTargets.addTo(spec.pak(), targets, product);
        Path broker = signed(Broker.build(tools, repo.resolve("src/broker"), EnginePak.write(pak), outDir.resolve("broker-" + revision)),
                productName);
        Path cli = Launcher.build(tools, repo, pak, outDir.resolve("cli-" + revision));
        signed(cli.resolve(Launcher.EXE), productName);
        Path msi = outDir.resolve(payload.identity().msiFileName(revision));
        RuntimeFiles.Result runtime = RuntimeFiles.write(pak, payload.identity(), outDir.resolve("runtime-" + revision), outDir);
        PayloadFiles.Result more = PayloadFiles.write(payload.identity(), extras, targets, outDir.resolve("payloads-" + revision), outDir);
        new MsiBuild(tools).build(repo.resolve("wix/product.wxs"), revision, payload, broker, cli, runtime, more, msi);
        // signed before the checks, so that they (and the goldens after them) see the package as it ships
        signed(msi, productName);
        PackageVerifier verifier = new PackageVerifier(tools);
        PackageTargets.check(targets, verifier.fileKeys(msi));
        verifier.checkFacts(msi, revision, payload);
        verifier.checkExtras(msi, payload.identity(), extras);
        return new Result(msi, payload, revision);
    }

    /** The first DLL as the product the spec names: its UpgradeCode, id, ProductName, Manufacturer. */
    static Payload named(Payload inspected, Spec spec) {
        ProductIdentity identity = inspected.identity();
        if (spec.upgradeCode().isPresent()) {
            identity = identity.withUpgradeCode(spec.upgradeCode().get());
        }
        try {
            identity = identity.withNames(spec.product().id(), spec.product().name(), spec.product().manufacturer());
        } catch (IllegalArgumentException e) {
            throw new BuildException(e.getMessage() + ". Name the product with -Dinuse.productId, -Dinuse.productName, -Dinuse.manufacturer");
        }
        if (identity.productName().length() > ProductIdentity.MAX_PRODUCT_NAME) {
            throw new BuildException("payload " + inspected.path() + ": the file name is too long to name the product: '" + identity.productName()
                    + "' has " + identity.productName().length() + " characters, and the Feature table's Title holds "
                    + ProductIdentity.MAX_PRODUCT_NAME + ". Name the product with -Dinuse.productName (or rename the DLL) and build again");
        }
        String why = BuiltInProduct.checkId(identity.productId());
        if (why != null) {
            throw new BuildException("the product id is derived from the first DLL's name " + inspected.fileName() + ", and " + why
                    + ": name the product with -Dinuse.productId (or rename the DLL) and build again");
        }
        return inspected.withIdentity(identity);
    }

    /**
     * What the engine reads from the package (BuiltInProduct): the id and the policy defaults, each default checked as the
     * engine will check it (Policy.resolve), so that a package that would stop every install is not built.
     */
    static BuiltInProduct builtIn(ProductIdentity identity, Map<String, String> defaults) {
        for (String name : defaults.keySet()) {
            if (!BuiltInProduct.DEFAULT_NAMES.contains(name)) {
                throw new BuildException("the policy default " + name + " is not one of " + String.join(", ", BuiltInProduct.DEFAULT_NAMES));
            }
        }
        try {
            Policy.resolve(new DefaultsOnly(defaults));
        } catch (IllegalArgumentException e) {
            throw new BuildException(e.getMessage().replace("; nothing was changed", ""));
        }
        return new BuiltInProduct(identity.productId(), defaults);
    }

    /** The policy's view of the package's defaults alone: no property, no policy key. */
    private record DefaultsOnly(Map<String, String> defaults) implements Policy.Source {
        @Override
        public String property(String name) {
            return "";
        }

        @Override
        public Optional<io.inuse.engine.machine.RegValue> policy(String name) {
            return Optional.empty();
        }

        @Override
        public String packageDefault(String name) {
            return defaults.getOrDefault(name, "");
        }

        @Override
        public String policyKey() {
            return "";
        }

        @Override
        public String valuesAre() {
            return "the package's default";
        }
    }

    /** A file this build made, signed in place when signing is on ({@link Signing#sign}). */
    private Path signed(Path file, String description) {
        signing.ifPresent(s -> s.sign(file, description));
        return file;
    }

    /**
     * The user's payload (-Dinuse.payload) as given; when signing is on and asked for it
     * (-Dinuse.sign.payload=true), a signed copy in {@code signedDir} (the original checked as a
     * payload first), the user's file left as it was.
     */
    Path userPayload(Path user, Path signedDir, String productName) {
        if (signing.isEmpty() || !signing.get().signsUserPayload()) {
            return user;
        }
        Payload.inspect(user);
        return signing.get().signCopy(user, signedDir, productName);
    }

    static FileVersion parseRevision(String revision) {
        return Revision.parse(revision);
    }

    static void prepareOutputFolder(Path outDir) {
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new BuildException("output folder " + outDir + " cannot be used: a file of that name is in the way. Remove it and build again.");
        }
        try {
            Files.createDirectories(outDir);
            Path probe = Files.createTempFile(outDir, ".write-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new BuildException("output folder " + outDir + " is not writable (" + e + "). "
                    + "Make it writable for the build user, or remove what blocks it, and build again.", e);
        }
    }
}
