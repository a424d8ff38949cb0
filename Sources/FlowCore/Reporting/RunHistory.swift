import Foundation

/// `flow runs`: past runs, newest last — when, what ran, what was cached, how long.
public enum RunHistory {
    public static func render(_ runs: [RunRecord], limit: Int) -> String {
        if runs.isEmpty { return "no runs recorded in this workspace yet\n" }
        var out = ""
        for r in runs.suffix(limit) {
            let ran = r.stages.filter { $0.status == "ran" }
            let cached = r.stages.filter { $0.status == "cached" }.count
            let failed = r.stages.filter { $0.status == "failed" }.count
            let total = r.stages.reduce(0) { $0 + $1.durationSeconds }
            var line = "\(r.id)  \(r.workflowFile)  \(ran.count) ran, \(cached) cached"
            if failed > 0 { line += ", \(failed) failed" }
            line += ", exit \(r.exitCode.map(String.init) ?? "?"), stage time \(Console.duration(total))"
            out += line + "\n"
            for s in r.stages where s.status != "cached" {
                var l = "    \(s.status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(s.stage)"
                if s.workflow.contains("/") { l += " [\(s.workflow.split(separator: "/", maxSplits: 1).last!)]" }
                if s.status == "ran" { l += "  \(Console.duration(s.durationSeconds))" }
                if let m = s.peakMemoryBytes, s.status == "ran" { l += String(format: "  peak %.0f MB", Double(m) / 1_048_576) }
                if let e = s.error { l += "  \(e)" }
                out += l + "\n"
            }
        }
        return out
    }
}
