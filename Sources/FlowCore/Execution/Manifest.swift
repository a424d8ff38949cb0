/// The manifest a stage's cache key is the SHA-256 of (DESIGN §4): key-schema version, stage
/// kind and its version, fully resolved parameters, the resolved system, the seed, and for each
/// input the content digest of what it reads (Merkle chaining). Display names, paths, times,
/// resources and the executor are deliberately absent.
public enum Manifest {
    public static let keySchema: Int64 = 1

    /// Builds the manifest; `inputDigests` maps input names to `sha256:<hex>` digests of the
    /// upstream output or file.
    public static func build(stage: StageSpec, system: SystemDefinition?, inputDigests: [String: String]) -> JSONValue {
        var inputs: [String: JSONValue] = [:]
        for (name, digest) in inputDigests { inputs[name] = .string(digest) }
        return .object([
            "key_schema": .int(keySchema),
            "kind": .string(stage.kind.name),
            "kind_version": .int(Int64(stage.kind.version)),
            "params": stage.resolvedParameters,
            "system": system?.resolved ?? .null,
            "seed": .int(Int64(bitPattern: stage.seed)),
            "inputs": .object(inputs),
        ])
    }

    public static func key(of manifest: JSONValue) -> String {
        SHA256Hasher.hex(manifest.canonical)
    }

    /// The first difference between an old and a new manifest, in words:
    /// `params.lr: 0.001 → 0.01`, `input 'data' changed`, `kind version 1 → 2`.
    public static func firstDifference(old: JSONValue, new: JSONValue) -> String? {
        let order = ["kind", "kind_version", "key_schema", "params", "system", "seed", "inputs"]
        guard let o = old.objectValue, let n = new.objectValue else { return old == new ? nil : "manifest format changed" }
        for field in order + Set(o.keys).union(n.keys).subtracting(order).sorted() {
            let a = o[field] ?? .null, b = n[field] ?? .null
            if a == b { continue }
            switch field {
            case "kind_version": return "stage kind version \(a.brief) → \(b.brief) (the kind's numerical output changed)"
            case "key_schema": return "cache key schema \(a.brief) → \(b.brief)"
            case "inputs":
                let ai = a.objectValue ?? [:], bi = b.objectValue ?? [:]
                for name in Set(ai.keys).union(bi.keys).sorted() where ai[name] != bi[name] {
                    if ai[name] == nil { return "new input '\(name)'" }
                    if bi[name] == nil { return "input '\(name)' removed" }
                    return "input '\(name)' changed"
                }
                return "inputs changed"
            default:
                return describe(path: field, a, b)
            }
        }
        return nil
    }

    static func describe(path: String, _ a: JSONValue, _ b: JSONValue) -> String {
        if case .object(let ao) = a, case .object(let bo) = b {
            for k in Set(ao.keys).union(bo.keys).sorted(by: JSONValue.byteOrder) where ao[k] != bo[k] {
                return describe(path: path + "." + k, ao[k] ?? .null, bo[k] ?? .null)
            }
        }
        if case .array(let aa) = a, case .array(let ba) = b, aa.count == ba.count {
            for i in aa.indices where aa[i] != ba[i] {
                return describe(path: "\(path)[\(i)]", aa[i], ba[i])
            }
        }
        return "\(path): \(short(a)) → \(short(b))"
    }

    static func short(_ v: JSONValue) -> String {
        let s = v == .null ? "(unset)" : v.brief
        return s.count > 60 ? String(s.prefix(57)) + "…" : s
    }
}
