import ShiplogCore

/// `deploy start` / POST /v1/deploys (its body): the image by digest, or by tag resolved through the tag history.
package struct DeployRequest: Sendable, Codable {
    package var environment: String
    package var slot: String?
    package var service: String
    package var image: ImageReference
    package var actor: String?
    /// Set by the server from a CI job's OIDC token; never read from a body.
    package var writtenBy: WorkloadIdentity? = nil

    enum CodingKeys: String, CodingKey { case environment, slot, service, image, actor }

    package init(environment: String, slot: String?, service: String, image: ImageReference, actor: String?) {
        self.environment = environment
        self.slot = slot
        self.service = service
        self.image = image
        self.actor = actor
    }
}
