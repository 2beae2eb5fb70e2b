/// Which builds to list.
package struct BuildQuery: Sendable, Hashable {
    package var service: String?
    package var since: Timestamp?
    package var limit: Int

    package init(service: String? = nil, since: Timestamp? = nil, limit: Int = 100) {
        self.service = service
        self.since = since
        self.limit = limit
    }
}
