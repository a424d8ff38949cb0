import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small POSIX helpers the store needs for crash safety: fsync of files and directories, atomic
/// replace by rename, hard links, stat identity.
enum FileSystem {
    /// Writes `data` to `path` atomically: a temporary file in the same directory, fsync, rename,
    /// fsync of the directory. Readers see the old or the new content, never a mix.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try createDirectory(dir)
        let tmp = "\(dir)/.tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\((path as NSString).lastPathComponent)"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FlowError.io("cannot write '\(tmp)': \(errnoText())") }
        var ok = true
        data.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 { ok = false; break }
                offset += n
            }
        }
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok else {
            unlink(tmp)
            throw FlowError.io("cannot write '\(path)': \(errnoText())")
        }
        try rename(tmp, to: path)
        syncDirectory(dir)
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw FlowError.io("cannot move '\(from)' to '\(to)': \(errnoText())")
        }
    }

    static func fsyncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FlowError.io("cannot open '\(path)': \(errnoText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FlowError.io("cannot sync '\(path)': \(errnoText())") }
    }

    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FlowError.io("cannot create directory '\(path)': \(error.localizedDescription)")
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Identity of a file's content as far as stat can tell: a changed size, mtime or inode means
    /// the file was rewritten or replaced.
    struct Identity: Codable, Equatable {
        var size: Int64
        var mtimeNanoseconds: Int64
        var inode: UInt64
    }

    static func identity(_ path: String) -> Identity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Identity(size: Int64(st.st_size),
                        mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                        inode: UInt64(st.st_ino))
    }

    /// Makes `link` name the same file as `target` (hard link; a copy across file systems),
    /// replacing whatever `link` was, atomically.
    static func linkOrCopy(_ target: String, to link: String) throws {
        let dir = (link as NSString).deletingLastPathComponent
        try createDirectory(dir)
        if let a = identity(target), let b = identity(link), a.inode == b.inode { return }
        let tmp = "\(dir)/.tmp-link-\(getpid())-\((link as NSString).lastPathComponent)"
        unlink(tmp)
        if Glibc.link(target, tmp) != 0 {
            do {
                try FileManager.default.copyItem(atPath: target, toPath: tmp)
            } catch {
                throw FlowError.io("cannot link or copy '\(target)' to '\(link)': \(error.localizedDescription)")
            }
        }
        try rename(tmp, to: link)
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }

    /// Whether `pid` is a running process. A zombie (it exited and its parent has not reaped it,
    /// as an orphaned stage process of a killed run can stay) counts as dead.
    static func isProcessAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        // /proc/<pid>/stat: "pid (comm) S …"; the state follows the last ')'.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].dropFirst().first == "Z" {
            return false
        }
        #endif
        return true
    }

    static var hostName: String {
        ProcessInfo.processInfo.hostName
    }
}
