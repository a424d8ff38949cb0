/// What the store keeps for one cache key (DESIGN §4): the manifest the key was computed from,
/// the digest of the output and where its object is, plus provenance (timings, host, versions).
/// Written last, atomically: the record's existence is the commit point of a stage. The
/// manifest is stored as its canonical text, so that SHA-256 of `manifest` is the key and the
/// manifest reads back exactly.
public struct StageRecord: Codable {
    public static let schema = 1

    public var schema: Int
    public var key: String
    @CanonicalJSON public var manifest: JSONValue
    /// SHA-256 of the output's logical content (`sha256:` prefix omitted).
    public var digest: String
    /// Object path relative to `.flow/`.
    public var object: String
    /// stat identity of the object when it was last verified.
    var objectIdentity: FileSystem.Identity?
    /// Files the stage published (name → SHA-256), materialized into the results directory.
    public var files: [String: String]
    public var stage: String
    public var workflow: String
    public var kind: String
    public var kindVersion: Int
    public var startedAt: String
    public var durationSeconds: Double
    public var peakMemoryBytes: Int64?
    public var host: String
    public var flowVersion: String
}

/// The last outcome of a named stage of a workflow instance, kept so that `flow status` can say
/// why a stage is stale (first differing manifest field) or that it failed.
public struct StageState: Codable {
    public var key: String
    @CanonicalJSON public var manifest: JSONValue
    public var succeeded: Bool
    public var error: String?
    public var finishedAt: String
}

/// One `flow run`: what was asked and what happened to each stage (`flow runs`).
public struct RunRecord: Codable {
    public struct Entry: Codable {
        public var workflow: String
        public var stage: String
        public var kind: String
        /// cached | ran | failed | skipped | cancelled
        public var status: String
        public var key: String?
        public var digest: String?
        public var durationSeconds: Double
        public var peakMemoryBytes: Int64?
        public var log: String?
        public var error: String?
    }

    public var id: String
    public var command: [String]
    public var workflowFile: String
    public var startedAt: String
    public var finishedAt: String?
    public var exitCode: Int32?
    public var stages: [Entry]
}

/// Stores a `JSONValue` inside a Codable record as its canonical text.
@propertyWrapper
public struct CanonicalJSON: Codable {
    public var wrappedValue: JSONValue

    public init(wrappedValue: JSONValue) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: Decoder) throws {
        wrappedValue = try JSONValue.parse(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue.canonical)
    }
}
