/// A ledger's tables as rows of plain values, for copying a whole ledger between backends (`shiplog store copy`).
///
/// Only the base tables are copied, with their ids: the tables the schemas' triggers keep (what is live, pull counts,
/// daily token sums) are rebuilt by those triggers as the rows arrive, and the transparency log's entries and subtrees
/// are copied byte for byte, so the copy has the same log root.
package protocol LedgerArchive: Sendable {
    /// The rows of `table`, in its key order, from `offset` on, at most `limit`.
    func archivedRows(_ table: ArchivedTable, offset: Int, limit: Int) throws(LedgerError) -> [[LedgerCell]]
    /// Copies every table from `source` in one transaction; refused unless this ledger is empty. Answers the rows per table.
    func restore(from source: any LedgerArchive) throws(LedgerError) -> [(table: String, rows: Int)]
}

/// One value of a row.
package enum LedgerCell: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case bytes([UInt8])
}

/// A table both backends have, with the same columns.
package struct ArchivedTable: Sendable, Hashable {
    package var name: String
    package var columns: [String]
    /// The key the rows are read in (unique, so pages do not overlap).
    package var key: String
    /// True when the table has an integer id the database assigns (its sequence moves past the copied ids).
    package var hasIdentity: Bool

    init(_ name: String, key: String = "id", identity: Bool? = nil, _ columns: String) {
        self.name = name
        self.columns = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        self.key = key
        hasIdentity = identity ?? (key == "id")
    }

    /// Every base table, parents before the tables that refer to them.
    package static let all: [ArchivedTable] = [
        ArchivedTable("build", "id, service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url, builder, built_at, labels, "
                      + "recorded_at, moved_tag, committed_at, written_by"),
        ArchivedTable("tag", key: "repository, tag", "repository, tag, digest, since"),
        ArchivedTable("tag_history", "id, repository, tag, digest, valid_from, valid_to"),
        ArchivedTable("key", key: "key_id", "key_id, name, algorithm, purpose, public_key_pem, added_at, revoked_at, revoked_reason"),
        ArchivedTable("signature", "id, repository, digest, payload, signature, signer_key_id, source, recorded_at"),
        ArchivedTable("signature_verification", key: "signature_id, key_id", "signature_id, key_id, verified_at"),
        ArchivedTable("environment", key: "name", "name, slots, active_slot, require_signature, created_at"),
        ArchivedTable("traffic_switch", "id, environment, from_slot, to_slot, actor, switched_at"),
        ArchivedTable("deploy", "id, environment, slot, service, repository, tag, digest, state, actor, created_at, started_at, finished_at, "
                      + "policy_version, policy_violations, written_by"),
        ArchivedTable("deploy_check", "id, deploy_id, name, status, detail, checked_at"),
        ArchivedTable("deploy_refusal", "id, environment, slot, service, repository, tag, digest, reason, detail, actor, refused_at, "
                      + "policy_version, violations"),
        ArchivedTable("bad_image", key: "repository, digest", "repository, digest, reason, marked_at"),
        ArchivedTable("log_entry", key: "leaf_index", "leaf_index, kind, data, leaf_hash, appended_at"),
        ArchivedTable("log_node", key: "level, idx", "level, idx, hash"),
        ArchivedTable("log_checkpoint", key: "tree_size", "tree_size, root_hash, note, created_at"),
        ArchivedTable("api_token", key: "token_hash", "token_hash, name, scopes, created_at, revoked_at"),
        ArchivedTable("registry_event", "id, event_id, action, repository, digest, tag, bytes, service, format, occurred_at, recorded_at"),
        ArchivedTable("token_cost_sample", key: "source, source_id", "source, source_id, service, day, time, model, input_tokens, output_tokens, "
                      + "total_tokens, cost_micros, recorded_at"),
        ArchivedTable("attestation", "id, repository, digest, predicate_type, statement, envelope, signer_key_id, source, fingerprint, recorded_at"),
        ArchivedTable("manifest_deletion", "id, repository, digest, reason, deleted_at"),
        ArchivedTable("policy", "id, environment, version, document, actor, set_at"),
        ArchivedTable("web_session", key: "session_hash", "session_hash, token_name, created_at, expires_at, ended_at"),
        ArchivedTable("oidc_trust", "id, repository, repository_id, ref, environment, workflow, scopes, created_at, revoked_at"),
    ]

    /// Tables the schemas' triggers fill from the base tables (and bookkeeping of each backend): not copied.
    package static let rebuilt: Set<String> = ["live_deploy", "image_pulls", "pull_daily", "token_daily", "schema_migration", "ledger_head"]

    /// How many rows a copy reads and writes at a time.
    package static let pageSize = 2_000
}
