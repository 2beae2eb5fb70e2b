import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Record builds.", subcommands: [Record.self])

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record",
            abstract: "Record one CI build and push of a service image.",
            discussion: """
                Missing --commit, --ref, --run-id, --run-attempt and --run-url are taken from GITHUB_SHA, GITHUB_REF,
                GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT and GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID;
                a missing --commit-time from the push event GITHUB_EVENT_PATH names (head_commit.timestamp).
                Recording the same repository, digest, tag and run again returns the same build.
                """)

        @Option(help: "The service the image belongs to.") var service: String
        @Option(help: ArgumentHelp("The pushed image, REPO:TAG (no tag means latest).", valueName: "repo:tag")) var image: String
        @Option(help: "The image's manifest digest, sha256:<64 hex>.") var digest: String
        @Option(help: "Git commit SHA.") var commit: String?
        @Option(help: "Git ref, e.g. refs/heads/main.") var ref: String?
        @Option(help: "CI run id.") var runId: String?
        @Option(help: "CI run attempt, from 1.") var runAttempt: String?
        @Option(help: "CI run URL.") var runUrl: String?
        @Option(help: "The builder that produced the image.") var builder: String?
        @Option(help: ArgumentHelp("When the image was built (RFC 3339); default now.", valueName: "time")) var builtAt: String?
        @Option(help: ArgumentHelp("When the commit was made (RFC 3339): where lead time starts.", valueName: "time")) var commitTime: String?
        @Option(name: .customLong("label"), help: ArgumentHelp("A free-form label, repeatable.", valueName: "key=value"))
        var labels: [String] = []
        @OptionGroup var global: GlobalOptions

        func run() async {
            let build: NewBuild
            do {
                // The event file is read only when no flag gives the commit time.
                build = try newBuild(environment: ProcessInfo.processInfo.environment, event: commitTime == nil ? try GitHubEventFile.read() : nil)
            } catch {
                Terminal.fail(.invalidInput(error))
            }
            await global.run { api throws(LedgerError) in
                try global.show(try await api.recordBuild(build)) { recorded in
                    "build \(recorded.text("id")): \(recorded.text("service")) \(recorded.imageName)@\(recorded.text("digest"))"
                }
            }
        }

        /// The build the flags describe, with run details from GitHub Actions where flags are absent.
        func newBuild(environment: [String: String], event: JSONValue? = nil) throws(InvalidInput) -> NewBuild {
            let github = GitHubActionsEnvironment(environment, event: event)
            let reference: ImageReference
            let parsedDigest: Digest
            do { reference = try ImageReference(parsing: image) } catch { throw error.at("--image") }
            do { parsedDigest = try Digest(parsing: digest) } catch { throw error.at("--digest") }
            if let inImage = reference.digest, inImage != parsedDigest {
                throw InvalidInput(field: "--image", value: image, reason: "names a different digest than --digest")
            }
            let serviceName: String
            do { serviceName = try ServiceName.validate(service) } catch { throw error.at("--service") }
            let attempt: Int?
            do { attempt = try GitHubActionsEnvironment(runAttempt: runAttempt ?? github.runAttempt).attempt() } catch {
                throw error.at(runAttempt != nil ? "--run-attempt" : "GITHUB_RUN_ATTEMPT")
            }
            var time: Timestamp?
            if let builtAt {
                do { time = try Timestamp(rfc3339: builtAt) } catch { throw error.at("--built-at") }
            }
            let committedAt: Timestamp?
            do { committedAt = try GitHubActionsEnvironment(commitTime: commitTime ?? github.commitTime).committedAt() } catch {
                throw error.at(commitTime != nil ? "--commit-time" : "GITHUB_EVENT_PATH head_commit.timestamp")
            }
            return NewBuild(
                service: serviceName, repository: reference.repository, tag: reference.tag ?? "latest", digest: parsedDigest,
                commit: commit ?? github.commit, ref: ref ?? github.ref, runID: runId ?? github.runID, runAttempt: attempt,
                runURL: runUrl ?? github.runURL, builder: builder, builtAt: time, labels: try LabelFlags.parse(labels),
                committedAt: committedAt
            )
        }
    }
}

enum LabelFlags {
    static func parse(_ flags: [String], flag: String = "--label") throws(InvalidInput) -> [String: String] {
        var labels: [String: String] = [:]
        for text in flags {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw InvalidInput(field: flag, value: text, reason: "expected key=value")
            }
            labels[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return labels
    }
}
