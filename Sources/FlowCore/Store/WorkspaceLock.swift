import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lock a `flow run` holds on a workspace, so two runs never write the same store at once
/// (DESIGN §4). It is an advisory `flock` on `.flow/lock`: the kernel releases it when the
/// holder dies (crash, kill -9), so a dead holder's lock is taken over without any unlock step.
/// The file also says who holds it, for the message the second run prints.
public final class WorkspaceLock {
    let path: String
    private var fd: Int32 = -1

    public init(store: Store) {
        path = store.path("lock")
    }

    /// Who holds the lock, as written by the holder.
    public struct Holder: Codable {
        public var pid: Int32
        public var host: String
        public var command: String
        public var since: String
    }

    /// Takes the lock. If another live process holds it: waits up to `wait` seconds (nil = fail at
    /// once) and then throws `FlowError.locked` naming the holder. Returns the previous holder when
    /// it was a dead process whose lock was taken over.
    @discardableResult
    public func acquire(wait: Double? = nil, command: String) throws -> Holder? {
        try FileSystem.createDirectory((path as NSString).deletingLastPathComponent)
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw FlowError.io("cannot open the lock file '\(path)': \(FileSystem.errnoText())") }
        let previous = readHolder()
        let deadline = Date().addingTimeInterval(wait ?? 0)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if Date() >= deadline {
                close(fd)
                fd = -1
                let h = liveHolder()
                let who = h.map { "pid \($0.pid) on \($0.host) (`\($0.command)`, since \($0.since))" } ?? "another flow process"
                throw FlowError.locked("the workspace is in use by \(who); wait for it to finish, or pass --wait SECONDS to wait")
            }
            usleep(200_000)
        }
        let me = Holder(pid: getpid(), host: FileSystem.hostName, command: command, since: Timestamp.now())
        let data = try JSONEncoder().encode(me)
        // Overwrite, then cut: the file is never empty while we hold the lock.
        _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        ftruncate(fd, off_t(data.count))
        fsync(fd)
        if let previous, previous.pid != getpid(), !FileSystem.isProcessAlive(previous.pid) || previous.host != me.host {
            return previous
        }
        return nil
    }

    /// The holder named in the file once it is the live one. A process that has just taken the
    /// lock writes its name a moment later; until then the file is empty, half written or still
    /// names the previous holder, who may be dead. So the name is read again for up to a second.
    func liveHolder() -> Holder? {
        var last: Holder?
        for _ in 0..<20 {
            last = readHolder()
            if let h = last, h.host != FileSystem.hostName || FileSystem.isProcessAlive(h.pid) { return h }
            usleep(50_000)
        }
        return last
    }

    func readHolder() -> Holder? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: data)
    }

    public func release() {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// ISO-8601 timestamps in UTC for records (`2026-12-08T00:22:30.123Z`, what
/// `ISO8601DateFormatter` with fractional seconds reads). Formatted from `gmtime_r`: Foundation's
/// date formatters load ICU and the time-zone database, a few milliseconds of every `flow run`.
enum Timestamp {
    static func now() -> String { string(Date()) }

    static func string(_ d: Date) -> String {
        let u = UTC(d)
        return "\(u.pad(u.year, 4))-\(u.pad(u.month))-\(u.pad(u.day))T\(u.pad(u.hour)):\(u.pad(u.minute)):\(u.pad(u.second)).\(u.pad(u.millisecond, 3))Z"
    }

    /// `yyyyMMdd-HHmmss` in UTC (run identifiers).
    static func compact(_ d: Date) -> String {
        let u = UTC(d)
        return "\(u.pad(u.year, 4))\(u.pad(u.month))\(u.pad(u.day))-\(u.pad(u.hour))\(u.pad(u.minute))\(u.pad(u.second))"
    }

    struct UTC {
        var year, month, day, hour, minute, second, millisecond: Int

        init(_ d: Date) {
            let t = d.timeIntervalSince1970
            var whole = time_t(t.rounded(.down))
            var fields = tm()
            gmtime_r(&whole, &fields)
            year = Int(fields.tm_year) + 1900
            month = Int(fields.tm_mon) + 1
            day = Int(fields.tm_mday)
            hour = Int(fields.tm_hour)
            minute = Int(fields.tm_min)
            second = Int(fields.tm_sec)
            millisecond = min(999, Int((t - t.rounded(.down)) * 1000))
        }

        func pad(_ n: Int, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
    }
}
