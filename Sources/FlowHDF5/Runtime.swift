import CHDF5
import Foundation

/// The one door to libhdf5: every call goes through `HDF5Site.call`, which silences the error
/// stack's automatic printing first and turns a negative return code into an `HDF5Error`.
///
/// libhdf5 prints its error stack to stderr when a call fails unless told not to, and in
/// thread-safe builds that setting belongs to each thread's own error stack. A process-wide switch
/// would therefore miss threads that Swift concurrency or the engine's executor start later, so it
/// is switched off on the calling thread right before each call; that costs a lock and a
/// thread-local lookup, nothing next to any I/O.
enum HDF5Runtime {
    private static let initialized: Void = {
        _ = H5open()
    }()

    /// Makes sure the library is initialized and that failures on this thread print nothing.
    static func prepareThread() {
        _ = initialized
        _ = H5Eset_auto2(flow_h5e_default(), nil, nil)
    }

    /// The most specific message on this thread's error stack, e.g. "object 'x' doesn't exist".
    static func innermostErrorMessage() -> String {
        let found = InnermostError()
        _ = H5Ewalk2(flow_h5e_default(), H5E_WALK_UPWARD, { position, entry, context in
            guard position == 0, let entry = entry, let context = context else { return 0 }
            let found = Unmanaged<InnermostError>.fromOpaque(context).takeUnretainedValue()
            found.description = entry.pointee.desc.map { String(cString: $0) } ?? ""
            found.minor = entry.pointee.min_num
            return 0
        }, Unmanaged.passUnretained(found).toOpaque())
        if !found.description.isEmpty { return condensed(found.description) }
        if found.minor >= 0, let minor = minorMessage(found.minor) { return minor }
        return "unknown HDF5 error"
    }

    /// The POSIX driver's report of a failed read or write ("file write failed: time = …,
    /// filename = …, file descriptor = 7, errno = 28, error message = 'No space left on device',
    /// buf = …, total write size = …") cut to what a user needs: the failure and the system's
    /// reason, with what to do when the disk is full. Other messages are returned as they are.
    static func condensed(_ message: String) -> String {
        guard let head = message.range(of: ": time = "),
              let reasonStart = message.range(of: "error message = '"),
              let reasonEnd = message[reasonStart.upperBound...].firstIndex(of: "'") else { return message }
        let reason = message[reasonStart.upperBound..<reasonEnd]
        var line = "\(message[..<head.lowerBound]): \(reason)"
        if let e = message.range(of: "errno = "), let number = Int32(message[e.upperBound...].prefix { $0.isNumber }) {
            line += " (errno \(number))"
            if number == ENOSPC { line += "; free space on that file system and run again" }
        }
        return line
    }

    private static func minorMessage(_ id: hid_t) -> String? {
        var type = H5E_MINOR
        let length = H5Eget_msg(id, &type, nil, 0)
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard H5Eget_msg(id, &type, &buffer, buffer.count) > 0 else { return nil }
        return String(cString: buffer).lowercased()
    }
}

/// What `H5Ewalk2`'s callback found at the innermost position of the stack.
private final class InnermostError {
    var description = ""
    var minor: hid_t = -1
}

/// Where an HDF5 call happens (file and object), so that any failure can say so.
struct HDF5Site {
    let file: String
    let object: String?

    /// Runs one libhdf5 call with printing silenced; a negative result becomes an `HDF5Error`
    /// describing `operation` at this site with the innermost error-stack message.
    @discardableResult
    func call<R: BinaryInteger>(_ operation: String, _ body: () -> R) throws -> R {
        HDF5Runtime.prepareThread()
        let result = body()
        if result < 0 { throw error(operation, HDF5Runtime.innermostErrorMessage()) }
        return result
    }

    /// An error for a failure this module detects itself (wrong shape, wrong type, ...).
    func error(_ operation: String, _ reason: String) -> HDF5Error {
        HDF5Error(operation: operation, file: file, object: object, reason: reason)
    }

    /// Reads a name that libhdf5 returns through the usual two-call protocol: first with no buffer
    /// to learn the length, then into a buffer one byte longer for the terminating NUL.
    func name(_ operation: String, _ get: (UnsafeMutablePointer<CChar>?, Int) -> Int) throws -> String {
        let length = try call(operation) { get(nil, 0) }
        var buffer = [CChar](repeating: 0, count: length + 1)
        try call(operation) { buffer.withUnsafeMutableBufferPointer { get($0.baseAddress, $0.count) } }
        return String(cString: buffer)
    }
}
