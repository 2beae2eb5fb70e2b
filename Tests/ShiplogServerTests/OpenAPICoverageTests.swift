import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ShiplogCore
import ShiplogServer
import ShiplogTestSupport
import Testing

/// schemas/openapi.yaml describes the server exactly: every route is documented with its scope, and
/// every documented operation is served.
@Suite("OpenAPI document against the router")
struct OpenAPICoverageTests {
    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var scope: String?
        var description: String { "\(method) \(path) [\(scope ?? "open")]" }
    }

    /// The operations in the document. It is written in one layout (paths at two spaces, methods at four,
    /// operation keys at six), which this reads; schemathesis in scripts/test reads it as YAML.
    static func documented() throws -> Set<Operation> {
        let text = try String(contentsOf: Fixtures.packageRoot.appending(path: "schemas/openapi.yaml"), encoding: .utf8)
        var operations = Set<Operation>()
        var inPaths = false
        var path: String?
        var current: Operation?
        func flush() { if let current { operations.insert(current) } }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, !line.isEmpty, !line.hasPrefix(" ") { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                flush(); current = nil
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(method) {
                    flush()
                    current = Operation(method: method.uppercased(), path: path, scope: nil)
                }
            } else if line.hasPrefix("      x-shiplog-scope: ") {
                current?.scope = String(line.dropFirst("      x-shiplog-scope: ".count))
            }
        }
        flush()
        return operations
    }

    static func served() throws -> Set<Operation> {
        let server = try TestServer()
        defer { server.directory.remove() }
        return Set(ShiplogHTTPServer.routeTable(server.ledger).map { Operation(method: $0.method, path: $0.path, scope: $0.scope) })
    }

    @Test("every route is documented with its scope, and every documented operation is a route")
    func sameOperations() throws {
        let documented = try Self.documented()
        let served = try Self.served()
        #expect(documented.count >= 25, "the reader found the document's operations")
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented))")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
    }

    @Test("every documented operation answers on the real router (not the router's 404 or 405)")
    func everyPathAnswers() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let samples = ["digest": "sha256:" + String(repeating: "c", count: 64), "env": "prod", "service": "api", "id": "1",
                       "index": "0", "key_id": "sha256:" + String(repeating: "d", count: 64), "name": "nobody"]
        try await server.app.test(.router) { client in
            for operation in try Self.documented() {
                var uri = operation.path
                for (name, value) in samples { uri = uri.replacingOccurrences(of: "{\(name)}", with: value) }
                #expect(!uri.contains("{"), "no sample for a parameter of \(operation.path)")
                let method = HTTPRequest.Method(rawValue: operation.method)!
                try await client.execute(uri: uri, method: method, headers: server.headers(.admin), body: body("{}")) { response in
                    let detail = response.json["detail"] as? String ?? ""
                    #expect(response.status != .methodNotAllowed, "\(operation)")
                    #expect(!(response.status == .notFound && detail.hasPrefix("no route")), "\(operation): \(detail)")
                    #expect(response.status.code < 500, "\(operation): \(response.status) \(detail)")
                }
            }
        }
    }
}
