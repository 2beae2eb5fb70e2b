import ShiplogCore

/// `log verify`: whether the rows still make the tree the log recorded and signed.
package struct LogVerification: Sendable, Encodable {
    package var treeSize: Int64
    package var checkpointsChecked: Int
    /// Whether every kept checkpoint's signature was checked against the log's public key.
    package var signaturesChecked: Bool
    /// The first entry found changed, removed or reordered; nil when the log is intact.
    @Nullable package var firstBadIndex: Int64?
    @Nullable package var problem: String? { didSet { intact = problem == nil } }
    /// No problem was found.
    package private(set) var intact: Bool

    package init(treeSize: Int64, checkpointsChecked: Int, signaturesChecked: Bool, firstBadIndex: Int64? = nil, problem: String? = nil) {
        self.treeSize = treeSize
        self.checkpointsChecked = checkpointsChecked
        self.signaturesChecked = signaturesChecked
        self.firstBadIndex = firstBadIndex
        self.problem = problem
        intact = problem == nil
    }
}

/// What `log verify` is asked to check besides the log's own rows.
package struct LogVerificationRequest: Sendable {
    /// Replay the log against the tables.
    package var auditTables = true
    /// The log's public key (PEM or DER) to check the checkpoints' signatures with; without it the key beside
    /// the ledger (local) or the server's own key is used.
    package var publicKey: [UInt8]?
    /// Checkpoint signatures that cannot be checked (no key anywhere) are a failure unless this is false.
    package var requireSignatures = true
    /// A signed note kept elsewhere (a witness, a CI artifact): it must be a checkpoint of this log.
    package var checkpoint: String?

    package init(auditTables: Bool = true, publicKey: [UInt8]? = nil, requireSignatures: Bool = true, checkpoint: String? = nil) {
        self.auditTables = auditTables
        self.publicKey = publicKey
        self.requireSignatures = requireSignatures
        self.checkpoint = checkpoint
    }
}
