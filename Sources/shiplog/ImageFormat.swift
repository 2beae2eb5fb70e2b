import Foundation
import ShiplogApp
import ArgumentParser
import ShiplogCore

/// `--format` of the answers deploy and rollback jobs feed to docker compose (`live`, `rollback-plan`).
enum ImageFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, compose, env

    /// Prints `document` in this format; `entries` reads its images for compose and env.
    func show(_ document: Document, global: GlobalOptions, entries: (JSONValue) -> [ImageOverride.Entry],
              text: (JSONValue) -> String) throws(LedgerError) {
        switch self {
        case .json: Terminal.printJSON(document)
        case .text: try global.show(document, text)
        case .compose: FileHandle.standardOutput.write(Data(ImageOverride(entries(try document.json())).compose.utf8))
        case .env: FileHandle.standardOutput.write(Data(ImageOverride(entries(try document.json())).env.utf8))
        }
    }

    /// The image of a document entry with `repository`, `tag` and `digest`, as `REPO[:TAG]@DIGEST`.
    static func reference(_ item: JSONValue) -> String? {
        guard let repository = item["repository"]?.stringValue, let digest = item["digest"]?.stringValue else { return nil }
        return ImageOverride.reference(repository: repository, tag: item["tag"]?.stringValue, digest: digest)
    }
}
