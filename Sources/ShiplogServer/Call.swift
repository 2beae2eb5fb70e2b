import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ShiplogApp
import ShiplogCore

/// Encoded answers kept until the ledger changes (live, lkg, plans, pages).
typealias ResponseCache = ReadCache<ByteBuffer>

/// One request as a route handler sees it: parameters, query, a size-limited body, and JSON answers.
struct Call: Sendable {
    let request: Request
    let context: BasicRequestContext
    let maxBodyBytes: Int
    /// The caller's token; nil on an open route called without one.
    var token: APIToken? = nil
    /// The CI job whose OIDC token this is (its builds and deploys are bound to its claims).
    var identity: WorkloadIdentity? = nil

    /// The caller may write something (any scope but `read`).
    var canWrite: Bool { token.map { !$0.scopes.subtracting([.read]).isEmpty } ?? false }

    /// A build as the caller's CI job made it: with an OIDC token, its run fields come from the claims.
    func bound(_ build: NewBuild) throws(Problem) -> NewBuild {
        guard let identity else { return build }
        return try bound { () throws(IdentityMismatch) in try identity.bind(build) }
    }

    func bound(_ run: GitHubActionsEnvironment) throws(Problem) -> GitHubActionsEnvironment {
        guard let identity else { return run }
        return try bound { () throws(IdentityMismatch) in try identity.bind(run) }
    }

    /// A body that disagrees with the token's claims is refused naming the claim (403: the job may not write that).
    func bound<T>(_ binding: () throws(IdentityMismatch) -> T) throws(Problem) -> T {
        do { return try binding() } catch {
            throw Problem(.forbidden, type: "urn:shiplog:problem:claim-mismatch", detail: error.description,
                          extensions: ["claim": .string(error.claim)])
        }
    }

    /// A path parameter, percent-decoded.
    func parameter(_ name: String) throws(Problem) -> String {
        guard let raw = context.parameters.get(name) else { throw Problem(.notFound, detail: "missing path parameter \(name)") }
        return raw.removingPercentEncoding ?? raw
    }

    func query(_ name: String) -> String? {
        request.uri.queryParameters.get(name).map { String($0) }
    }

    /// A whole-number query parameter; a bad one is a 400 naming it.
    func integerQuery(_ name: String, range: ClosedRange<Int64> = 0...Int64.max) throws(Problem) -> Int64? {
        guard let text = query(name) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw Problem.invalidInput(InvalidInput(field: name, value: text, reason: "expected a whole number from \(range.lowerBound)"))
        }
        return value
    }

    func booleanQuery(_ name: String) throws(Problem) -> Bool {
        switch query(name) {
        case nil, "false", "0": return false
        case "true", "1": return true
        case let other?: throw Problem.invalidInput(InvalidInput(field: name, value: other, reason: "expected true or false"))
        }
    }

    /// A parameter parsed by a domain rule; its error names the parameter.
    func parsed<T>(_ name: String, _ text: String, _ parse: (String) throws(ValueError) -> T) throws(Problem) -> T {
        do { return try parse(text) } catch { throw Problem.invalidInput(error.at(name)) }
    }

    /// The `repository` query parameter an image route needs.
    func requiredRepository() throws(Problem) -> Repository {
        guard let text = query("repository") else {
            throw Problem.invalidInput(InvalidInput(field: "repository", reason: "name the repository the image is in"))
        }
        return try parsed("repository", text, Repository.init(parsing:))
    }

    /// The request body, refused with 413 past the configured limit.
    func body() async throws -> Data {
        var buffer = try await request.body.collect(upTo: maxBodyBytes)
        return buffer.readData(length: buffer.readableBytes) ?? Data()
    }

    /// The body decoded as `T`; malformed JSON or a bad field is a 400 naming the field and value.
    func json<T: Decodable>(_ type: T.Type) async throws -> T {
        let data = try await body()
        do { return try JSONInput.decode(type, from: data, source: "request body") } catch { throw Problem.invalidInput(error) }
    }

    func answer(_ document: Document, status: HTTPResponse.Status = .ok) throws -> Response {
        respond(ByteBuffer(bytes: try ContractJSON.compact.encode(document)), status: status)
    }

    /// A read answered from `cache` while the ledger has not changed (keyed by path and query).
    func cached(_ cache: ResponseCache, _ compute: () async throws -> Document) async throws -> Response {
        respond(try await cache.answer(request.uri.description) { ByteBuffer(bytes: try ContractJSON.compact.encode(try await compute())) })
    }

    private func respond(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
