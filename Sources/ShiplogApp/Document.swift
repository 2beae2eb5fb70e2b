import Foundation
import ShiplogCore

/// A contract JSON document. Locally it holds the typed value (the server encodes it straight to bytes);
/// from a server it holds the decoded JSON.
package struct Document: Sendable, Encodable {
    private let body: any Encodable & Sendable

    package init(_ body: some Encodable & Sendable) { self.body = body }

    package func encode(to encoder: any Encoder) throws { try body.encode(to: encoder) }

    /// The document as plain JSON, which is what the CLI's tables read.
    package func json() throws(LedgerError) -> JSONValue {
        if let value = body as? JSONValue { return value }
        do { return try JSONDecoder().decode(JSONValue.self, from: try ContractJSON.compact.encode(self)) } catch {
            throw .storage("could not encode a result: \(error)")
        }
    }
}
