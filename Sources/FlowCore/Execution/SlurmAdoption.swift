import Foundation

/// Re-adoption of the Slurm jobs of runs that detached (or whose head process died): `flow run`
/// waits for those still queued or running before it plans, so that what they commit is cached
/// for it instead of computed twice (Ctrl-C cancels them); `flow status` reports them as
/// submitted. Their outcomes are printed from the exit records the jobs wrote.
struct SlurmAdoption {
    let store: Store
    let console: Console
    var poll: Double = 2

    /// The jobs of unsettled runs that Slurm still runs or queues, by workflow/stage.
    func activeJobs() -> [String: (run: String, job: String)] {
        var out: [String: (run: String, job: String)] = [:]
        for list in SlurmJobList.unsettled(store) {
            guard let states = Slurm.states(list.jobs.map(\.job)) else { continue }
            for j in list.jobs {
                guard let s = states[j.job], s.isActive else { continue }
                out["\(j.workflow)/\(j.stage)"] = (list.run, "\(j.job) (\(s.state.lowercased()))")
            }
        }
        return out
    }

    func adopt(cancellation: CancellationFlag) {
        for list in SlurmJobList.unsettled(store) {
            let ids = list.jobs.map(\.job)
            guard var states = Slurm.states(ids) else { continue }
            let waiting = list.jobs.filter { states[$0.job]?.isActive == true }
            if !waiting.isEmpty {
                console.line("flow: re-adopting \(waiting.count) Slurm job\(waiting.count == 1 ? "" : "s") of run \(list.run) (\(waiting.map { "\($0.stage): \($0.job)" }.joined(separator: ", ")))")
            }
            while states.values.contains(where: \.isActive), !cancellation.isCancelled {
                Thread.sleep(forTimeInterval: poll)
                states = Slurm.states(ids) ?? states
            }
            if cancellation.isCancelled {
                let active = list.jobs.filter { states[$0.job]?.isActive == true }
                console.line("flow: cancelling re-adopted Slurm jobs \(active.map(\.job).joined(separator: ","))")
                Slurm.cancel(active.map(\.job) + active.compactMap(\.parts))
                return
            }
            for j in waiting {
                let exit = StageExit.read(j.exitRecord)
                let word = exit?.status ?? states[j.job]?.state.lowercased() ?? "ended"
                let why = exit?.message.map { ": \($0)" } ?? (states[j.job]?.killDescription.map { ": \($0)" } ?? "")
                console.line("  \(exit?.status == "ran" || exit?.status == "cached" ? "✓" : "✗") \(j.stage)  \(word) in Slurm job \(j.job)\(why)")
                if exit == nil { store.removeTemporaries(tagged: j.temporaryTag) }
            }
            list.settle(store)
        }
    }

}
