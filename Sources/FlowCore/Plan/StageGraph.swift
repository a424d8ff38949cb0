/// The DAG of stages: edges from each input's stage to the stage reading it.
public struct StageGraph {
    public let names: [String]
    /// Upstream stages of each stage.
    public let upstream: [String: [String]]
    /// Downstream stages of each stage.
    public let downstream: [String: [String]]

    public init(stages: [StageSpec]) {
        names = stages.map(\.name)
        var up: [String: [String]] = [:]
        var down: [String: [String]] = [:]
        for s in stages {
            up[s.name] = s.upstreamStages
            down[s.name, default: []] += []
            for u in s.upstreamStages { down[u, default: []].append(s.name) }
        }
        upstream = up
        downstream = down
    }

    /// Stages in an order where every stage comes after its inputs (Kahn's algorithm, ties
    /// broken by file order), or nil when there is a cycle.
    public func topologicalOrder() -> [String]? {
        var indegree = Dictionary(uniqueKeysWithValues: names.map { ($0, Set(upstream[$0] ?? []).count) })
        var order: [String] = []
        var ready = names.filter { indegree[$0] == 0 }
        while !ready.isEmpty {
            let n = ready.removeFirst()
            order.append(n)
            for d in Set(downstream[n] ?? []).sorted(by: { names.firstIndex(of: $0)! < names.firstIndex(of: $1)! }) {
                indegree[d]! -= 1
                if indegree[d] == 0 { ready.append(d) }
            }
        }
        return order.count == names.count ? order : nil
    }

    /// One cycle as a path `a → b → … → a`, or nil.
    public func cycle() -> [String]? {
        var state: [String: Int] = [:]   // 1 = on stack, 2 = done
        var stack: [String] = []
        func visit(_ n: String) -> [String]? {
            state[n] = 1
            stack.append(n)
            for u in upstream[n] ?? [] {
                if state[u] == 1 {
                    // The stack follows upstream edges; data flows the other way.
                    let loop = Array(stack[stack.firstIndex(of: u)!...].reversed())
                    return loop + [loop[0]]
                }
                if state[u] == nil, let c = visit(u) { return c }
            }
            stack.removeLast()
            state[n] = 2
            return nil
        }
        for n in names where state[n] == nil {
            if let c = visit(n) { return c }
        }
        return nil
    }

    /// The stage and everything that (transitively) reads it.
    public func descendants(of name: String) -> Set<String> {
        var out: Set<String> = [name]
        var todo = [name]
        while let n = todo.popLast() {
            for d in downstream[n] ?? [] where out.insert(d).inserted { todo.append(d) }
        }
        return out
    }

    /// The stage and everything it (transitively) reads.
    public func ancestors(of name: String) -> Set<String> {
        var out: Set<String> = [name]
        var todo = [name]
        while let n = todo.popLast() {
            for u in upstream[n] ?? [] where out.insert(u).inserted { todo.append(u) }
        }
        return out
    }
}
