import HTTPTypes
import Hummingbird

/// Turns every error into an RFC 9457 problem response, and an unknown method on a known path into 405.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// Every (method, path template) the server answers, to tell 404 from 405.
    let operations: [(method: String, path: String)]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem = Problem.from(error)
            // Hummingbird's own 404 (an HTTPError) means no route matched; routes answer 404 with a Problem.
            if problem.status == .notFound, error is HTTPError {
                let allowed = operations.filter { Route.template($0.path, matches: request.uri.path) }.map(\.method)
                if allowed.isEmpty {
                    problem = Problem(.notFound, detail: "no route \(request.method.rawValue) \(request.uri.path)")
                } else {
                    problem = Problem(.methodNotAllowed, detail: "\(request.uri.path) allows \(allowed.joined(separator: ", "))")
                    problem.headers[.allow] = allowed.joined(separator: ", ")
                }
            }
            if problem.status.kind == .serverError {
                context.logger.error("answering \(problem.status.code)", metadata: ["detail": .string(problem.logDetail ?? problem.detail)])
            }
            return try problem.response(from: request, context: context)
        }
    }
}
