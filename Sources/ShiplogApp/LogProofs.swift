import ShiplogCore

/// `log prove`: an inclusion proof, hashes in standard base64 as in checkpoints.
package struct InclusionProof: Sendable, Encodable {
    package var leafIndex: Int64
    package var treeSize: Int64
    @Base64Encoded package var leafHash: [UInt8]
    @Base64Encoded package var rootHash: [UInt8]
    @Base64EncodedList package var proof: [[UInt8]]
}

/// `log consistency`: a consistency proof between two tree sizes.
package struct ConsistencyProof: Sendable, Encodable {
    package var fromSize: Int64
    package var toSize: Int64
    @Base64Encoded package var fromRoot: [UInt8]
    @Base64Encoded package var toRoot: [UInt8]
    @Base64EncodedList package var proof: [[UInt8]]
}
