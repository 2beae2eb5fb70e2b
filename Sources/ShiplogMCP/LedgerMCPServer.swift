import Foundation
import MCP
import ShiplogApp
import ShiplogCore

/// `shiplog mcp`: the ledger's read-only tools over the Model Context Protocol, on standard input and output.
///
/// Every tool calls the same LedgerAPI the CLI does (a local file or a server with the caller's token), so
/// a tool's structured result is the document `shiplog … --json` prints. A ledger error is a tool error
/// (`isError`) whose text says what was wrong; the server itself keeps running.
package struct LedgerMCPServer: Sendable {
    private let api: any LedgerAPI
    private let version: String
    /// On a local file: live, lkg and plans kept until the ledger changes, as the server keeps them (a server
    /// caches its own answers, so `--server` needs none).
    private let cache: ReadCache<CallTool.Result>?

    package init(api: any LedgerAPI, version: String, changes: (any LedgerStatistics)? = nil) {
        self.api = api
        self.version = version
        cache = changes.map { ReadCache(store: $0) }
    }

    /// Serves until the client closes standard input.
    package func run() async throws {
        let server = Server(
            name: "shiplog", version: version, title: "shiplog release ledger",
            instructions: """
                shiplog is the team's record of what was built, signed, deployed and pulled. Ask it which image is live in an \
                environment (live), what to roll back to (lkg, rollback_plan), whether an image is signed or may go to an \
                environment (verify, policy_check), and about builds, costs and delivery metrics. Every tool only reads.
                """,
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: LedgerTool.all.map(\.definition)) }
        let api = api, cache = cache
        await server.withMethodHandler(CallTool.self) { call in
            guard let tool = LedgerTool.named(call.name) else {
                throw MCPError.invalidParams("unknown tool \(call.name); the tools are \(LedgerTool.all.map(\.name).joined(separator: ", "))")
            }
            guard let cache, tool.cached, let key = Self.key(call) else { return await Self.answer(tool, arguments: call.arguments, api: api) }
            return try await cache.answer(key) { await Self.answer(tool, arguments: call.arguments, api: api) }
        }
        let transport = LineTransport()
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
    }

    /// The tool and its arguments as canonical JSON (sorted keys): equal calls share an answer.
    private static func key(_ call: CallTool.Parameters) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let arguments = try? encoder.encode(call.arguments ?? [:]) else { return nil }
        return call.name + " " + String(decoding: arguments, as: UTF8.self)
    }

    /// One call's result: the document as structured content and its summary as text, or a tool error.
    static func answer(_ tool: LedgerTool, arguments: [String: Value]?, api: any LedgerAPI) async -> CallTool.Result {
        do throws(LedgerError) {
            let document = try await tool.call(try ToolArguments(arguments, declared: tool.arguments), api).json()
            // MCP's structured content is an object; the one list-shaped document is wrapped under its name.
            let structured: JSONValue = document.objectValue == nil ? .object([tool.name: document]) : document
            return CallTool.Result(content: [.text(text: tool.summary(structured), annotations: nil, _meta: nil)],
                                   structuredContent: Optional(Value(json: structured)), isError: false)
        } catch {
            let kind = switch error {
            case .invalidInput, .unknown: "invalid arguments"
            case .notFound: "not found"
            case .denied: "denied"
            case .unreachable: "server unreachable"
            case .storage: "ledger failed"
            }
            return CallTool.Result(content: [.text(text: "\(tool.name): \(kind): \(error.description)", annotations: nil, _meta: nil)], isError: true)
        }
    }
}

extension Value {
    /// The contract's JSON as MCP's value type.
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case let .bool(flag): self = .bool(flag)
        case let .integer(number): self = .int(Int(number))
        case let .number(number): self = .double(number)
        case let .string(text): self = .string(text)
        case let .array(items): self = .array(items.map { Value(json: $0) })
        case let .object(members): self = .object(members.mapValues { Value(json: $0) })
        }
    }
}
