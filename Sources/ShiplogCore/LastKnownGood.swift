/// The newest good deploy of (environment, service): what a rollback would redeploy.
package struct LastKnownGood: Sendable, Hashable, Encodable {
    package var environment: String
    package var service: String
    package var repository: String
    @Nullable package var tag: String?
    package var digest: String
    package var deployID: Int64
    @Nullable package var deployedAt: Timestamp?
    @Nullable package var slot: String?

    package init(deploy: Deploy) {
        environment = deploy.environment
        service = deploy.service
        repository = deploy.repository
        tag = deploy.tag
        digest = deploy.digest
        deployID = deploy.id
        deployedAt = deploy.startedAt
        slot = deploy.slot
    }
}
