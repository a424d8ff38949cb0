import Foundation
import XCTest
@testable import FlowCore

/// The "workspace in use" message names the live holder even when it is read in the moment
/// between the holder taking the lock and writing its name, while the file still names the
/// previous, dead holder, instead of saying "another flow process" or naming the dead pid.
final class WorkspaceLockTests: XCTestCase {
    func testTheRefusalNamesTheLiveHolderWrittenJustAfterTheLockWasTaken() throws {
        let root = NSTemporaryDirectory() + "flow-lock-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = Store(workspace: root)
        try store.prepare()
        let lockPath = store.path("lock")
        let dead = WorkspaceLock.Holder(pid: 999_999_9, host: FileSystem.hostName, command: "flow run old.yaml", since: "then")
        try JSONEncoder().encode(dead).write(to: URL(fileURLWithPath: lockPath))

        // The new holder: takes the flock on its own open file, writes its name 300 ms later.
        let fd = open(lockPath, O_RDWR)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        defer { flock(fd, LOCK_UN); close(fd) }
        let live = WorkspaceLock.Holder(pid: getpid(), host: FileSystem.hostName, command: "flow run new.yaml", since: "now")
        let writer = Thread {
            usleep(300_000)
            let data = try! JSONEncoder().encode(live)
            _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            ftruncate(fd, off_t(data.count))
        }
        writer.start()

        XCTAssertThrowsError(try WorkspaceLock(store: store).acquire(command: "flow run second.yaml")) { error in
            guard case FlowError.locked(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("pid \(getpid())") && message.contains("flow run new.yaml"), message)
        }
    }
}
