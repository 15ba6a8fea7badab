package io.inuse.engine.detect;

/**
 * A process whose modules could not be read (access denied, exited during the scan, ...): it
 * cannot be proven to hold a target, nor proven not to. Its image path is "" when unknown.
 */
public record UnscannedProcess(long pid, String imagePath, String error) {
    /** For logs: {@code "upsmon.exe (pid 77): OpenProcess error 5"}. */
    public String describe() {
        int slash = Math.max(imagePath.lastIndexOf('\\'), imagePath.lastIndexOf('/'));
        String name = imagePath.substring(slash + 1);
        return (name.isEmpty() ? "unnamed process" : name) + " (pid " + pid + "): " + error;
    }
}
