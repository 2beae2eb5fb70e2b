import ShiplogCore

/// `log verify`: whether the rows still make the tree the log recorded and signed.
package struct LogVerification: Sendable, Encodable {
    package var treeSize: Int64
    package var checkpointsChecked: Int
    /// The first entry found changed, removed or reordered; nil when the log is intact.
    @Nullable package var firstBadIndex: Int64?
    @Nullable package var problem: String? { didSet { intact = problem == nil } }
    /// No problem was found.
    package private(set) var intact: Bool

    package init(treeSize: Int64, checkpointsChecked: Int, firstBadIndex: Int64? = nil, problem: String? = nil) {
        self.treeSize = treeSize
        self.checkpointsChecked = checkpointsChecked
        self.firstBadIndex = firstBadIndex
        self.problem = problem
        intact = problem == nil
    }
}
