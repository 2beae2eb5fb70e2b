import Foundation
import ShiplogApp
import ShiplogCore

/// `gc` against the registry itself: its tags and the manifests they point at, and deletes through its API.
package struct RegistryRetention: ManifestDeleter {
    package let client: RegistryClient

    package init(client: RegistryClient) { self.client = client }

    package func delete(repository: Repository, digest: Digest) async -> String? {
        await client.deleteManifest(client.address(of: repository), digest: digest)
    }

    /// Every tag of each repository and the manifest it points at (an index with its children); a manifest's push
    /// time is its config's `created` when it has one (the ledger's record of its tag wins where there is one).
    package func listing(of repositories: [Repository]) async throws(LedgerError) -> RetentionListing {
        var manifests: [String: [RetainedManifest]] = [:]
        for repository in repositories {
            let address = client.address(of: repository)
            var byDigest: [String: RetainedManifest] = [:]
            for tag in try await client.tags(address) {
                guard let (manifest, _, digest) = try await client.manifest(address, reference: tag) else { continue }
                if var known = byDigest[digest.description] {
                    known.tags.append(tag)
                    byDigest[digest.description] = known
                    continue
                }
                var created: Timestamp?
                if let config = manifest.config, config.size <= 1024 * 1024,
                   let bytes = try? await client.blob(address, digest: config.digest, limit: 1024 * 1024),
                   let text = (try? JSONInput.value(from: Data(bytes), source: "config"))?["created"]?.stringValue {
                    created = try? Timestamp(rfc3339: text)
                }
                byDigest[digest.description] = RetainedManifest(digest: digest.description, tags: [tag], pushedAt: created,
                                                                 children: manifest.manifests.map(\.digest.description))
                // An index's children are manifests of the repository too, untagged.
                for child in manifest.manifests where byDigest[child.digest.description] == nil {
                    byDigest[child.digest.description] = RetainedManifest(digest: child.digest.description, tags: [], pushedAt: created)
                }
            }
            manifests[repository.name] = Array(byDigest.values)
        }
        return RetentionListing(source: "registry", manifests: manifests)
    }
}
