/// Text and JSON forms of `flow status`.
public enum StatusFormatter {
    public static func word(_ s: StageStatus) -> String {
        switch s {
        case .cached: return "cached"
        case .wouldRun(let m) where m == "never run": return "missing"
        case .wouldRun(let m) where m.hasPrefix("input '"): return "pending"
        case .wouldRun: return "stale"
        case .previouslyFailed, .failed: return "failed"
        case .skipped: return "blocked"
        default: return s.word
        }
    }

    public static func reason(_ s: StageStatus) -> String? {
        switch s {
        case .wouldRun(let m): return m == "never run" ? nil : m
        case .previouslyFailed(let m), .failed(let m), .skipped(let m), .submitted(let m): return m
        default: return nil
        }
    }

    /// A cached stage whose published file was replaced is "modified".
    public static func word(_ o: StageOutcome) -> String {
        o.publishedProblem == nil ? word(o.status) : "modified"
    }

    public static func reason(_ o: StageOutcome) -> String? {
        o.publishedProblem ?? reason(o.status)
    }

    public static func text(_ outcomes: [StageOutcome]) -> String {
        var out = ""
        var current = ""
        let width = outcomes.map(\.stage.count).max() ?? 8
        let wordWidth = max(8, outcomes.map { word($0).count }.max() ?? 8)
        for o in outcomes {
            if o.workflow != current {
                current = o.workflow
                out += "\(o.workflow)\n"
            }
            var line = "  \(o.stage.padding(toLength: width, withPad: " ", startingAt: 0))  \(word(o).padding(toLength: wordWidth, withPad: " ", startingAt: 0))"
            if let r = reason(o) { line += "  \(r)" }
            out += line + "\n"
        }
        return out
    }

    public static func json(_ outcomes: [StageOutcome]) -> JSONValue {
        .array(outcomes.map { o in
            var d: [String: JSONValue] = [
                "workflow": .string(o.workflow), "stage": .string(o.stage), "kind": .string(o.kind),
                "status": .string(word(o)),
            ]
            d["reason"] = reason(o).map(JSONValue.string) ?? .null
            d["key"] = o.key.map(JSONValue.string) ?? .null
            d["digest"] = o.digest.map(JSONValue.string) ?? .null
            return .object(d)
        })
    }
}
