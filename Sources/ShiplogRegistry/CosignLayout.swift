import ShiplogCore
import ShiplogCrypto

/// How cosign keeps signatures and attestations in a registry (cosign `specs/SIGNATURE_SPEC.md`, `pkg/oci`):
/// beside the image, under the tag `sha256-<hex>.sig` (or `.att`), an OCI image manifest with one layer per
/// signature, the layer blob being what was signed (the simple-signing payload) or the DSSE envelope.
package enum CosignLayout {
    package static let signatureLayerType = "application/vnd.dev.cosign.simplesigning.v1+json"
    package static let attestationLayerType = "application/vnd.dsse.envelope.v1+json"
    package static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    package static let predicateTypeAnnotation = "predicateType"

    package enum Kind: String, Sendable {
        case signatures = "sig"
        case attestations = "att"
    }

    /// `sha256-<hex>.sig` for `sha256:<hex>`.
    package static func tag(for digest: Digest, _ kind: Kind) -> String {
        "\(digest.algorithm)-\(digest.encoded).\(kind.rawValue)"
    }

    /// The manifest with `layer` appended (the other signatures stay), and the config blob it names; nil when the
    /// manifest already holds this layer with the same annotations (signing twice uploads nothing new).
    package static func appending(
        _ layer: OCIManifest.Descriptor, to existing: OCIManifest?
    ) -> (manifest: OCIManifest, config: [UInt8])? {
        var layers = existing?.layers ?? []
        if layers.contains(where: { $0.digest == layer.digest && $0.annotations == layer.annotations }) { return nil }
        layers.append(layer)
        let config = configBlob(layers: layers)
        let configDescriptor = OCIManifest.Descriptor(mediaType: OCIManifest.ociConfig, digest: Digest(validated: "sha256:" + SHA256.hex(config)),
                                                      size: Int64(config.count))
        return (OCIManifest(mediaType: OCIManifest.ociManifest, config: configDescriptor, layers: layers), config)
    }

    /// The image config cosign's signature images carry (go-containerregistry's empty image with these layers):
    /// no platform, a zero time, one history entry and one diff id per layer.
    static func configBlob(layers: [OCIManifest.Descriptor]) -> [UInt8] {
        let zero = #"{"created":"0001-01-01T00:00:00Z"}"#
        let history = Array(repeating: zero, count: layers.count).joined(separator: ",")
        let diffIDs = layers.map { CanonicalJSON.string($0.digest.description) }.joined(separator: ",")
        let text = #"{"architecture":"","created":"0001-01-01T00:00:00Z","history":["# + history
            + #"],"os":"","rootfs":{"type":"layers","diff_ids":["# + diffIDs + #"]},"config":{}}"#
        return Array(text.utf8)
    }
}
