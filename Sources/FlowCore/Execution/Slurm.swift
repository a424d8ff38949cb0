import Foundation

/// The Slurm command-line tools, as the head process uses them: `sbatch` to submit, one batched
/// `squeue` per poll to track every job (accounting may be off, as on a single-node test
/// cluster; `sacct` is asked only about jobs `squeue` no longer knows), `scancel` to cancel.
enum Slurm {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a Slurm tool found on PATH; nil when it cannot be started (Slurm not installed).
    static func run(_ tool: String, _ arguments: [String]) -> Output? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus == 127 { return nil }
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A job's state as `squeue -t all` or `sacct` report it, with Slurm's reason.
    struct JobState: Equatable {
        var state: String
        var reason: String

        var isActive: Bool {
            ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING",
             "STAGE_OUT", "STOPPED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"].contains(state)
        }

        /// Ended by Slurm itself rather than by the program: what the user is told.
        var killDescription: String? {
            switch state {
            case "TIMEOUT": return "reached its time limit (Slurm state TIMEOUT); raise resources.time"
            case "OUT_OF_MEMORY": return "ran out of memory (Slurm state OUT_OF_MEMORY); raise resources.memory"
            case "NODE_FAIL": return "lost its node (Slurm state NODE_FAIL, \(reason)); run flow run again"
            case "BOOT_FAIL": return "could not boot its node (Slurm state BOOT_FAIL, \(reason))"
            case "PREEMPTED": return "was preempted (Slurm state PREEMPTED); run flow run again"
            case "DEADLINE": return "missed its deadline (Slurm state DEADLINE)"
            default: return nil
            }
        }
    }

    /// States of the given jobs in one `squeue` call (jobs Slurm has forgotten are absent); nil
    /// when squeue fails as a whole.
    static func states(_ jobs: [String]) -> [String: JobState]? {
        guard !jobs.isEmpty else { return [:] }
        guard let out = run("squeue", ["--noheader", "--states=all", "--jobs=" + jobs.joined(separator: ","), "--format=%i|%T|%r"]) else {
            return nil
        }
        // squeue refuses the whole list when one id is unknown: ask about the others one by one.
        if out.status != 0 {
            guard jobs.count > 1, out.stderr.contains("Invalid job id") else { return nil }
            var merged: [String: JobState] = [:]
            for job in jobs { if let s = states([job]) { merged.merge(s) { a, _ in a } } }
            return merged
        }
        return parse(out.stdout)
    }

    /// The final state `sacct` recorded, when accounting is on.
    static func accountedState(_ job: String) -> JobState? {
        guard let out = run("sacct", ["--noheader", "--parsable2", "--allocations", "--jobs=" + job, "--format=JobID,State,Reason"]),
              out.status == 0 else { return nil }
        return parse(out.stdout)[job]
    }

    static func parse(_ text: String) -> [String: JobState] {
        var out: [String: JobState] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 2 else { continue }
            // sacct writes "CANCELLED by 0".
            let state = f[1].split(separator: " ").first.map(String.init) ?? f[1]
            out[f[0]] = JobState(state: state, reason: f.count > 2 ? f[2] : "")
        }
        return out
    }

    /// slurmstepd's own report of a memory kill in a job's output file. Without cgroups (the
    /// test cluster: task/none, jobacct_gather/linux with OverMemoryKill) the job ends FAILED or
    /// CANCELLED rather than OUT_OF_MEMORY, and this line is the only trace of why.
    static func memoryKill(inOutput path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data.suffix(16_384), as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.contains("exceeded memory limit") }) else { return nil }
        let detail = line.range(of: "exceeded memory limit").map { String(line[$0.lowerBound...]) } ?? "exceeded memory limit"
        return "ran out of memory (slurmstepd: \(detail.trimmingCharacters(in: .whitespaces))); raise resources.memory"
    }

    static func cancel(_ jobs: [String]) {
        guard !jobs.isEmpty else { return }
        _ = run("scancel", jobs)
    }

    /// `resources.time` in Slurm's form: `90s`, `30m`, `2h`, `1d` become `[D-]HH:MM:SS`; anything
    /// else (`1-00:00:00`, `120`) is passed through, for Slurm to judge.
    static func time(_ text: String) -> String {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last.flatMap({ units[$0] }), let n = Double(text.dropLast()), n > 0 else { return text }
        let seconds = Int((n * Double(unit)).rounded(.up))
        let d = seconds / 86400, h = (seconds % 86400) / 3600, m = (seconds % 3600) / 60, s = seconds % 60
        let hms = String(format: "%02d:%02d:%02d", h, m, s)
        return d > 0 ? "\(d)-\(hms)" : hms
    }
}

/// The jobs a run submitted, written next to its record (`.flow/runs/<run>/jobs.json`) as they
/// are submitted, so that a later `flow run` or `flow status` re-adopts the jobs of a run that
/// detached (or whose head process died). Renamed to `jobs.settled.json` once every job ended
/// and its outcome was taken.
struct SlurmJobList: Codable {
    struct Job: Codable {
        var workflow: String
        var stage: String
        var job: String
        var exitRecord: String
        var temporaryTag: String
        /// The job array of a sharded stage's parts (`job` gathers them): cancelled with it.
        var parts: String? = nil
    }

    var run: String
    var jobs: [Job]

    static func path(_ store: Store, run: String) -> String { store.runsDirectory + "/\(run)/jobs.json" }

    func write(_ store: Store) throws {
        try FileSystem.writeAtomically(try Store.encoder.encode(self), to: Self.path(store, run: run))
    }

    func settle(_ store: Store) {
        let p = Self.path(store, run: run)
        try? FileSystem.rename(p, to: (p as NSString).deletingPathExtension + ".settled.json")
    }

    /// Job lists of earlier runs not settled yet, oldest first.
    static func unsettled(_ store: Store) -> [SlurmJobList] {
        // Run directories only: the run records (`<run>.json`) beside them are files, one per run
        // ever made, and asking each for a job list cost every `flow run` a failed open per run.
        let runs = ((try? FileManager.default.contentsOfDirectory(atPath: store.runsDirectory)) ?? [])
            .filter { !$0.hasSuffix(".json") }.sorted()
        return runs.compactMap { run in
            FileManager.default.contents(atPath: path(store, run: run)).flatMap { try? JSONDecoder().decode(SlurmJobList.self, from: $0) }
        }
    }
}
