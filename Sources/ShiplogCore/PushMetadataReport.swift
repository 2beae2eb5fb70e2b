import Foundation

/// The report CI writes after `docker compose push`: one entry per service, plus the run it came from.
/// The format is shiplog's own; `schemas/push-metadata.schema.json` is its definition.
package struct PushMetadataReport: Sendable, Decodable {
    package struct Entry: Sendable, Decodable {
        package var service: String
        package var image: ImageReference
        package var digest: Digest
        package var labels: [String: String]

        enum CodingKeys: String, CodingKey { case service, image, tag, digest, labels }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let serviceText = try container.decode(String.self, forKey: .service)
            do { service = try ServiceName.validate(serviceText) } catch {
                throw error.decodingError(at: container.codingPath + [CodingKeys.service])
            }
            let imageText = try container.decode(String.self, forKey: .image)
            do { image = try ImageReference(parsing: imageText) } catch {
                throw error.decodingError(at: container.codingPath + [CodingKeys.image])
            }
            if let tagText = try container.decodeIfPresent(String.self, forKey: .tag) {
                let tag: String
                do { tag = try Tag.validate(tagText) } catch {
                    throw error.decodingError(at: container.codingPath + [CodingKeys.tag])
                }
                if let inImage = image.tag, inImage != tag {
                    throw ValueError(value: tagText, reason: "differs from the tag '\(inImage)' in image")
                        .decodingError(at: container.codingPath + [CodingKeys.tag])
                }
                image.tag = tag
            }
            guard image.tag != nil else {
                throw DecodingError.keyNotFound(CodingKeys.tag, .init(codingPath: container.codingPath, debugDescription: ""))
            }
            digest = try container.decode(Digest.self, forKey: .digest)
            if let inImage = image.digest, inImage != digest {
                throw ValueError(value: imageText, reason: "names digest \(inImage), not the entry's digest")
                    .decodingError(at: container.codingPath + [CodingKeys.image])
            }
            labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        }
    }

    /// The run every entry came from (the report's top-level `commit`, `run_id`, ...).
    package var run: BuildRun
    package var pushedAt: Timestamp?
    package var services: [Entry]

    enum CodingKeys: String, CodingKey {
        case services
        case pushedAt = "pushed_at"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        run = try BuildRun(from: decoder)
        pushedAt = try container.decodeIfPresent(Timestamp.self, forKey: .pushedAt)
        services = try container.decode([Entry].self, forKey: .services)
    }

    /// The builds a report describes, in file order.
    package var builds: [NewBuild] {
        services.map { entry in
            NewBuild(
                service: entry.service, repository: entry.image.repository, tag: entry.image.tag ?? "latest",
                digest: entry.digest, commit: run.commit, ref: run.ref, runID: run.runID, runAttempt: run.runAttempt,
                runURL: run.runURL, builder: run.builder, builtAt: pushedAt, labels: entry.labels, committedAt: run.committedAt
            )
        }
    }

    /// Parses a report, telling a user who passed another format which command reads it.
    package static func parse(_ data: Data, source: String) throws(InvalidInput) -> PushMetadataReport {
        do {
            return try JSONInput.decode(PushMetadataReport.self, from: data, source: source)
        } catch {
            guard error.field == nil || error.field == "services" else { throw error }
            let shape = try JSONInput.value(from: data, source: source)
            if BuildxMetadata.looksLikeBuildx(shape) {
                throw InvalidInput(
                    source: source,
                    reason: "unknown metadata shape: this is a buildx metadata file; use `shiplog ingest buildx-metadata`")
            }
            if shape.objectValue?["services"] == nil {
                throw InvalidInput(
                    source: source, value: shape.objectValue == nil ? shape.typeName : nil,
                    reason: "unknown metadata shape: expected a push report, an object with a \"services\" array")
            }
            throw error
        }
    }
}
