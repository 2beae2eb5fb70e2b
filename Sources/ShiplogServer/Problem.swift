import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import ShiplogCore

/// An RFC 9457 problem: every error the server answers is one, as `application/problem+json`.
///
/// Input errors carry `source`, `field`, `value` and `reason` as extension members, so the CLI's remote
/// mode prints the same one-line reason as local mode. A server-side failure's body says what failed in
/// the user's words; what the database or the runtime said goes to the log only (`logDetail`), never
/// into a body: it can hold SQL, file paths and internals.
struct Problem: Error, HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var type: String
    var detail: String
    var extensions: [String: JSONValue] = [:]
    var headers: HTTPFields = [:]
    /// For the server's log: what the body leaves out.
    var logDetail: String?

    init(_ status: HTTPResponse.Status, type: String = "about:blank", detail: String, extensions: [String: JSONValue] = [:]) {
        self.status = status
        self.type = type
        self.detail = detail
        self.extensions = extensions
    }

    static func invalidInput(_ input: InvalidInput) -> Problem {
        Problem(.badRequest, type: "urn:shiplog:problem:invalid-input", detail: input.description, extensions: members(of: input))
    }

    /// The request names what the ledger does not have: 404, with the same members as bad input.
    static func unknown(_ input: InvalidInput) -> Problem {
        Problem(.notFound, type: "urn:shiplog:problem:not-found", detail: input.description, extensions: members(of: input))
    }

    private static func members(of input: InvalidInput) -> [String: JSONValue] {
        var members: [String: JSONValue] = ["reason": .string(input.reason)]
        if let source = input.source { members["source"] = .string(source) }
        if let field = input.field { members["field"] = .string(field) }
        if let value = input.value { members["value"] = .string(value) }
        return members
    }

    static func from(_ error: LedgerError) -> Problem {
        switch error {
        case let .invalidInput(input): return invalidInput(input)
        case let .notFound(what): return Problem(.notFound, type: "urn:shiplog:problem:not-found", detail: what)
        case let .unknown(input): return unknown(input)
        // The database is unusable (I/O, a lock past the busy timeout): the server cannot serve now.
        case .storage, .unreachable:
            var problem = Problem(.serviceUnavailable, type: "urn:shiplog:problem:storage",
                                  detail: "the ledger could not complete the request; the server's log says why")
            problem.logDetail = error.description
            return problem
        case let .denied(detail): return Problem(.forbidden, detail: detail)
        }
    }

    /// Any error a route or Hummingbird threw, as a problem.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let ledger as LedgerError: return from(ledger)
        case let input as InvalidInput: return invalidInput(input)
        case is HTTPParserError:
            // The client sent less than it announced (or hung up mid-body): its request, not the server, is at fault.
            return Problem(.badRequest, detail: "the request ended before its body did (a truncated or malformed request)")
        case let http as HTTPError:
            if http.status == .contentTooLarge {
                return Problem(.contentTooLarge, detail: "the request body is larger than the server's limit")
            }
            return Problem(http.status, detail: http.body ?? http.status.reasonPhrase)
        case let http as any HTTPResponseError:
            return Problem(http.status, detail: http.status.reasonPhrase)
        default:
            var problem = Problem(.internalServerError, detail: "internal error; the server's log says why")
            problem.logDetail = String(describing: error)
            return problem
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var members = extensions
        members["type"] = .string(type)
        members["title"] = .string(status.reasonPhrase)
        members["status"] = .integer(Int64(status.code))
        members["detail"] = .string(detail)
        let body = (try? ContractJSON.compact.encode(JSONValue.object(members))) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
