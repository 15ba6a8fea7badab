package io.inuse.cli;

import io.inuse.engine.machine.FileIdentity;
import io.inuse.engine.machine.FileInfo;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.OpenProbe;
import io.inuse.engine.machine.PathLocation;
import io.inuse.engine.machine.ProcessModules;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.machine.RmList;
import io.inuse.engine.machine.RmSession;
import io.inuse.engine.machine.SecureFolder;
import io.inuse.engine.machine.Service;
import io.inuse.engine.machine.ServiceState;
import io.inuse.engine.machine.WindowTitle;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The machine of {@code java -jar inuse-cli.jar} on any system: the files it can read, and nothing of
 * Windows. Reading a file answers as the broker would (2 not found, 5 access denied, 223 too large);
 * every Windows primitive throws 50 (ERROR_NOT_SUPPORTED): the command line refuses those commands
 * before it gets there ({@code Cli} with windows=false).
 */
final class LocalFiles implements Machine {
    private static final long ERROR_FILE_NOT_FOUND = 2;
    private static final long ERROR_ACCESS_DENIED = 5;
    private static final long ERROR_NOT_SUPPORTED = 50;
    private static final long ERROR_FILE_TOO_LARGE = 223;

    @Override
    public byte[] readFile(String path, int maxBytes) {
        Path file = path(path, "FILE_READ");
        try {
            if (Files.isDirectory(file)) {
                throw new SessionException("FILE_READ", ERROR_ACCESS_DENIED, "open", path + " is a folder, not a file");
            }
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new SessionException("FILE_READ", ERROR_FILE_TOO_LARGE, "read", path + " has " + size + " bytes, more than " + maxBytes);
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SessionException("FILE_READ", ERROR_FILE_NOT_FOUND, "open", path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new SessionException("FILE_READ", ERROR_ACCESS_DENIED, "open", path + ": permission denied");
        } catch (IOException e) {
            throw new SessionException("FILE_READ", ERROR_ACCESS_DENIED, "read", path + ": " + e.getMessage());
        }
    }

    @Override
    public FileInfo fileInfo(String path) {
        byte[] bytes = readFile(path, FILE_READ_MAX);
        try {
            return new FileInfo(bytes.length, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), 0);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256, which every Java SE has", e);
        }
    }

    private static Path path(String path, String op) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new SessionException(op, ERROR_FILE_NOT_FOUND, "path", path + " is not a path on this system: " + e.getReason());
        }
    }

    private static SessionException windowsOnly(String op) {
        return new SessionException(op, ERROR_NOT_SUPPORTED, "Windows", op + " needs Windows: run inuse.exe on the machine");
    }

    @Override
    public String knownFolder(KnownFolder folder) {
        throw windowsOnly("KNOWN_FOLDER");
    }

    @Override
    public Optional<FileIdentity> identify(String path) {
        throw windowsOnly("FILE_IDENTITY");
    }

    @Override
    public OpenProbe openExclusive(String path) {
        throw windowsOnly("OPEN_EXCLUSIVE");
    }

    @Override
    public List<ProcessModules> processes(List<String> moduleNames) {
        throw windowsOnly("PROCESS_MODULES");
    }

    @Override
    public List<Service> services() {
        throw windowsOnly("SERVICES");
    }

    @Override
    public List<WindowTitle> windowTitles(List<Long> pids) {
        throw windowsOnly("WINDOW_TITLES");
    }

    @Override
    public RmSession rmStart() {
        throw windowsOnly("RM_START");
    }

    @Override
    public RmSession rmJoin(String key) {
        throw windowsOnly("RM_JOIN");
    }

    @Override
    public void rmRegister(RmSession session, List<String> files, List<String> services) {
        throw windowsOnly("RM_REGISTER");
    }

    @Override
    public RmList rmGetList(RmSession session) {
        throw windowsOnly("RM_GET_LIST");
    }

    @Override
    public void rmEnd(RmSession session) {
        throw windowsOnly("RM_END");
    }

    @Override
    public void copyFile(String source, String destination, boolean failIfExists) {
        throw windowsOnly("FILE_COPY");
    }

    @Override
    public void moveFile(String source, String destination, int flags) {
        throw windowsOnly("FILE_MOVE");
    }

    @Override
    public void deleteFile(String path) {
        throw windowsOnly("FILE_DELETE");
    }

    @Override
    public ServiceState serviceQuery(String name) {
        throw windowsOnly("SERVICE_QUERY");
    }

    @Override
    public int serviceStop(String name, int timeoutMs) {
        throw windowsOnly("SERVICE_STOP");
    }

    @Override
    public int serviceStart(String name, int timeoutMs) {
        throw windowsOnly("SERVICE_START");
    }

    @Override
    public void removeFolder(String path) {
        throw windowsOnly("FOLDER_REMOVE");
    }

    @Override
    public void writeFile(String path, byte[] bytes, WriteMode mode) {
        throw windowsOnly("FILE_WRITE");
    }

    @Override
    public SecureFolder secureFolder(String path) {
        throw windowsOnly("SECURE_FOLDER");
    }

    @Override
    public SecureFolder checkInstalled(String path) {
        throw windowsOnly("CHECK_INSTALLED");
    }

    @Override
    public Optional<RegValue> regRead(RegRoot root, String key, String name) {
        throw windowsOnly("REG_READ");
    }

    @Override
    public void regWrite(RegRoot root, String key, String name, RegValue value) {
        throw windowsOnly("REG_WRITE");
    }

    @Override
    public boolean regDeleteValue(RegRoot root, String key, String name) {
        throw windowsOnly("REG_DELETE_VALUE");
    }

    @Override
    public boolean regDeleteKey(RegRoot root, String key) {
        throw windowsOnly("REG_DELETE_KEY");
    }

    @Override
    public boolean sfcProtected(String path) {
        throw windowsOnly("SFC_PROTECTED");
    }

    @Override
    public PathLocation pathLocation(String path) {
        throw windowsOnly("PATH_REMOTE");
    }
}
