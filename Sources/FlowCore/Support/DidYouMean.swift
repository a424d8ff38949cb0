/// "Did you mean …?" suggestions for unknown names (kinds, keys, stages, variables), by
/// Damerau–Levenshtein distance with a threshold that grows with the word length.
public enum DidYouMean {
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word.lowercased(), c.lowercased())
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        if let best { return best.0 }
        // Abbreviations: "src" for "source", "dmp" for "dmap" — the letters in order, unambiguous.
        let abbreviated = candidates.filter { word.count >= 3 && isSubsequence(word.lowercased(), of: $0.lowercased()) }
        return abbreviated.count == 1 ? abbreviated[0] : nil
    }

    static func isSubsequence(_ a: String, of b: String) -> Bool {
        var it = b.makeIterator()
        return a.allSatisfy { ch in
            while let c = it.next() { if c == ch { return true } }
            return false
        }
    }

    /// ` (did you mean 'x'?)` or the empty string.
    public static func hint(for word: String, among candidates: [String]) -> String {
        suggestion(for: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
