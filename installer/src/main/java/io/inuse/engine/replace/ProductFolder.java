package io.inuse.engine.replace;

import io.inuse.engine.detect.Target;

/**
 * The product's own folder and what lives in it (docs/journal.md): the staging folder where Windows
 * Installer puts the package's new files, the backups of the originals, and the journal. Every one of
 * them is admin-only: the replace action checks the folder (SECURE_FOLDER) before it reads or writes
 * anything there.
 *
 * <pre>
 * &lt;root&gt;\state\journal.txt                   the journal (the state folder is admin-only: users may read the root)
 * &lt;root&gt;\staging\&lt;name&gt;                          the new file, as Windows Installer installed it
 * &lt;root&gt;\backup\&lt;KnownFolder&gt;\&lt;relative&gt;\&lt;name&gt;   the original, copied once before it is first replaced
 * &lt;root&gt;\rollback\&lt;KnownFolder&gt;\&lt;relative&gt;\&lt;name&gt; the file a run replaces now when it is not the original
 *                                                 (this product's own, an upgrade): for that run's rollback only
 * </pre>
 *
 * @param root the product's folder, for example {@code C:\Program Files\inuse\MAPI32}
 */
public record ProductFolder(String root) {
    /**
     * The product's folder on this machine: {@code <ProgramFiles>\inuse\<product id>}, the id built into the package
     * (BuiltInProduct; wix/product.wxs installs the staged files into the same folder, from the build's ProductFolder
     * variable).
     */
    public static ProductFolder of(String programFiles, String productId) {
        String why = io.inuse.engine.detect.BuiltInProduct.checkId(productId);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        String folder = programFiles;
        while (folder.endsWith("\\")) {
            folder = folder.substring(0, folder.length() - 1);
        }
        return new ProductFolder(folder + "\\inuse\\" + productId);
    }

    public ProductFolder {
        if (root == null || root.isEmpty() || root.endsWith("\\")) {
            throw new IllegalArgumentException("the product's folder must be a full path without a trailing separator: '" + root + "'");
        }
    }

    /** The product's private state: the journal. Admin-only (SECURE_FOLDER), unlike the root, which users may read. */
    public String state() {
        return root + "\\state";
    }

    /**
     * The product id: the folder's own name (BuiltInProduct.id(): by default the first DLL's file name without its
     * extension), a build-time identifier, not the display name; it names the policy key (Policy.key).
     */
    public String productId() {
        return root.substring(root.lastIndexOf('\\') + 1);
    }

    /**
     * Whether a path is one of this product's own: the product's folder or anything in it (not the {@code inuse}
     * folder above it, which every inuse product shares).
     */
    public boolean owns(String path) {
        String p = path.toLowerCase(java.util.Locale.ROOT);
        String r = root.toLowerCase(java.util.Locale.ROOT);
        return p.equals(r) || p.startsWith(r + "\\");
    }

    /** The {@code inuse} folder above the product's folder, shared by every inuse product on the machine. */
    public String parent() {
        return root.substring(0, root.lastIndexOf('\\'));
    }

    public String journal() {
        return state() + "\\journal.txt";
    }

    public String staging() {
        return root + "\\staging";
    }

    /** The package's new file for a target: the staging folder holds each target under its name. */
    public String staged(Target target) {
        return stagedByName(target.name());
    }

    /** The same for a target known by its full path (a journal line): the staging folder holds it under its file name. */
    public String stagedFor(String targetPath) {
        return stagedByName(targetPath.substring(targetPath.lastIndexOf('\\') + 1));
    }

    private String stagedByName(String name) {
        return staging() + "\\" + name;
    }

    public String backups() {
        return root + "\\backup";
    }

    /** The folder of a target's backup: one per known folder and relative path, so that equal names never collide. */
    public String backupFolder(Target target) {
        return backups() + "\\" + target.folder().name() + (target.relative().isEmpty() ? "" : "\\" + target.relative());
    }

    public String backup(Target target) {
        return backupFolder(target) + "\\" + target.name();
    }

    /** The folder of a target's rollback copy (see {@link #rollbackCopy}). */
    public String rollbackFolder(Target target) {
        return root + "\\rollback\\" + target.folder().name() + (target.relative().isEmpty() ? "" : "\\" + target.relative());
    }

    /**
     * Where a run keeps the file it replaces now when that file is not the original (the backup keeps
     * the original): an upgrade's or repair's rollback puts it back from here. Each run replaces the
     * earlier run's copy; once a run completed or was rolled back, its copy is of no use.
     */
    public String rollbackCopy(Target target) {
        return rollbackFolder(target) + "\\" + target.name();
    }
}
