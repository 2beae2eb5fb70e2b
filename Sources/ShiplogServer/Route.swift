import HTTPTypes
import Hummingbird
import ShiplogCore

/// One endpoint: its method and OpenAPI-style path, the scope a token needs (nil: open), and its handler.
struct Route: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let scope: Scope?
    let handle: @Sendable (Call) async throws -> Response

    init(_ method: HTTPRequest.Method, _ path: String, _ scope: Scope?, _ handle: @escaping @Sendable (Call) async throws -> Response) {
        self.method = method
        self.path = path
        self.scope = scope
        self.handle = handle
    }

    /// Whether a concrete request path fits a route's template (`{name}` matches one segment).
    static func template(_ path: String, matches concrete: String) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: false)
        let given = concrete.split(separator: "/", omittingEmptySubsequences: false)
        guard template.count == given.count else { return false }
        return zip(template, given).allSatisfy { pattern, segment in
            (pattern.hasPrefix("{") && !segment.isEmpty) || pattern == segment
        }
    }
}
