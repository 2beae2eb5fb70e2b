/// Which builds to list.
public struct BuildQuery: Sendable, Hashable {
    public var service: String?
    public var since: Timestamp?
    public var limit: Int

    public init(service: String? = nil, since: Timestamp? = nil, limit: Int = 100) {
        self.service = service
        self.since = since
        self.limit = limit
    }
}
