import Foundation

/// `flow gc`: removes store objects (and their records and checkpoints) that no stage of the
/// given workflows references — neither through its current cache key nor through its last
/// recorded run (so the results of another profile of the same workflow are kept).
public struct GarbageCollector {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    public struct Report {
        public var removedObjects: [String] = []
        public var removedRecords = 0
        public var freedBytes: Int64 = 0
        public var keptObjects = 0
    }

    public func collect(keeping workflows: [Workflow], dryRun: Bool) throws -> Report {
        let store = engine.store
        var liveKeys = Set<String>()
        for o in try engine.status(workflows) { if let k = o.key { liveKeys.insert(k) } }
        let stateRoot = store.path("state")
        for wf in Set(workflows.map(\.name)) {
            let dir = stateRoot + "/" + wf
            guard let e = FileManager.default.enumerator(atPath: dir) else { continue }
            while let f = e.nextObject() as? String {
                guard f.hasSuffix(".json"), !f.hasPrefix("."),
                      let data = FileManager.default.contents(atPath: dir + "/" + f),
                      let s = try? JSONDecoder().decode(StageState.self, from: data), s.succeeded else { continue }
                liveKeys.insert(s.key)
            }
        }
        var report = Report()
        var liveObjects = Set<String>()
        for r in store.allRecords() {
            if liveKeys.contains(r.key) {
                liveObjects.insert(r.object)
            } else {
                report.removedRecords += 1
                if !dryRun { store.removeRecord(key: r.key) }
            }
        }
        let objectsDir = store.path("objects")
        for shard in ((try? FileManager.default.contentsOfDirectory(atPath: objectsDir)) ?? []).sorted() {
            for f in ((try? FileManager.default.contentsOfDirectory(atPath: objectsDir + "/" + shard)) ?? []).sorted() {
                let rel = "objects/\(shard)/\(f)"
                if liveObjects.contains(rel) { report.keptObjects += 1; continue }
                report.removedObjects.append(rel)
                report.freedBytes += FileSystem.identity(store.path(rel))?.size ?? 0
                if !dryRun { FileSystem.remove(store.path(rel)) }
            }
        }
        let cpDir = store.path("checkpoints")
        for key in (try? FileManager.default.contentsOfDirectory(atPath: cpDir)) ?? [] where !liveKeys.contains(key) {
            if !dryRun { FileSystem.remove(cpDir + "/" + key) }
        }
        return report
    }
}
