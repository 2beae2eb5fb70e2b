import Foundation

/// The event of each kind of ledger write. Fields are named as in the contract's JSON shapes.
extension LedgerEvent {
    /// A recorded build; `movedTag` says whether recording it moved its tag (one write, one leaf).
    package static func build(id: Int64, _ build: NewBuild, builtAt: String, recordedAt: String, movedTag: Bool = false) -> LedgerEvent {
        // `committed_at` came later (migration 0010): only builds that have one carry it, so the entries of
        // older builds still regenerate byte for byte from their rows.
        var fields: [(String, Value)] = [  // keys in canonical order, which spares the encoder a sort per build
            ("builder", .text(build.builder)), ("built_at", .string(builtAt)), ("commit", .text(build.commit)),
        ]
        if let committed = build.committedAt { fields.append(("committed_at", .string(committed.description))) }
        fields += [
            ("digest", .string(build.digest.description)), ("id", .integer(id)),
            ("labels", .object(build.labels.map { ($0.key, Value.string($0.value)) })), ("moved_tag", .bool(movedTag)),
            ("recorded_at", .string(recordedAt)), ("ref", .text(build.ref)), ("repository", .string(build.repository.name)),
            ("run_attempt", .number(build.runAttempt)), ("run_id", .text(build.runID.flatMap { $0.isEmpty ? nil : $0 })),
            ("run_url", .text(build.runURL)), ("service", .string(build.service)), ("tag", .string(build.tag)),
        ]
        // OIDC writers came later still (migration 0015): likewise only on the builds a CI job's token wrote.
        if let writer = build.writtenBy { fields.append(("written_by", .string(writer.canonicalJSON))) }
        return LedgerEvent(.build, fields: fields)
    }

    /// A tag moved without a build (a registry push event); a build that moves its tag says so itself.
    package static func tag(repository: String, tag: String, digest: String, since: String) -> LedgerEvent {
        LedgerEvent(.tag, ["repository": .string(repository), "tag": .string(tag), "digest": .string(digest), "since": .string(since)])
    }

    /// A registry deleted the image a tag named: the tag names nothing from `at` on.
    package static func tagRemoved(repository: String, tag: String, digest: String, at time: String) -> LedgerEvent {
        LedgerEvent(.tagRemoved, ["repository": .string(repository), "tag": .string(tag), "digest": .string(digest), "removed_at": .string(time)])
    }

    package static func keyAdded(_ key: TrustedKey) -> LedgerEvent {
        LedgerEvent(.keyAdded, [
            "key_id": .string(key.keyID), "name": .string(key.name), "algorithm": .string(key.algorithm),
            "public_key_pem": .string(key.publicKeyPEM), "added_at": .string(key.addedAt.description),
        ])
    }

    package static func keyRevoked(keyID: String, at time: Timestamp, reason: String?) -> LedgerEvent {
        LedgerEvent(.keyRevoked, ["key_id": .string(keyID), "revoked_at": .string(time.description), "reason": .text(reason)])
    }

    package static func signature(id: Int64, _ signature: NewSignature, at time: Timestamp) -> LedgerEvent {
        LedgerEvent(.signature, [
            "id": .integer(id), "repository": .string(signature.repository.name), "digest": .string(signature.digest.description),
            "payload": .string(Data(signature.payload).base64EncodedString()),
            "signature": .string(Data(signature.signature).base64EncodedString()),
            "signer_key_id": .text(signature.signerKeyID), "source": .string(signature.source), "recorded_at": .string(time.description),
        ])
    }

    package static func attestation(id: Int64, _ attestation: NewAttestation, at time: Timestamp) -> LedgerEvent {
        LedgerEvent(.attestation, [
            "id": .integer(id), "repository": .string(attestation.repository.name), "digest": .string(attestation.digest.description),
            "predicate_type": .string(attestation.predicateType),
            "statement": .string(Data(attestation.statement).base64EncodedString()),
            "envelope": .text(attestation.envelope.map { Data($0).base64EncodedString() }),
            "signer_key_id": .text(attestation.signerKeyID), "source": .string(attestation.source), "recorded_at": .string(time.description),
        ])
    }

    package static func manifestDeleted(id: Int64, _ deletion: ManifestDeletion, at time: Timestamp) -> LedgerEvent {
        LedgerEvent(.manifestDeleted, [
            "id": .integer(id), "repository": .string(deletion.repository.name), "digest": .string(deletion.digest.description),
            "reason": .string(deletion.reason), "deleted_at": .string(time.description),
        ])
    }

    package static func environment(_ environment: Environment) -> LedgerEvent {
        LedgerEvent(.environment, [
            "name": .string(environment.name), "slots": .string(environment.slots.joined(separator: ",")),
            "active_slot": .text(environment.activeSlot), "require_signature": .bool(environment.requireSignature),
            "created_at": .string(environment.createdAt.description),
        ])
    }

    package static func trafficSwitch(_ change: TrafficSwitch) -> LedgerEvent {
        LedgerEvent(.trafficSwitch, [
            "environment": .string(change.environment), "from": .string(change.fromSlot), "to": .string(change.toSlot),
            "actor": .text(change.actor), "switched_at": .string(change.switchedAt.description),
        ])
    }

    package static func deployStarted(_ deploy: Deploy) -> LedgerEvent {
        var fields: [(String, Value)] = [
            ("deploy_id", .integer(deploy.id)), ("environment", .string(deploy.environment)), ("slot", .text(deploy.slot)),
            ("service", .string(deploy.service)), ("repository", .string(deploy.repository)), ("tag", .text(deploy.tag)),
            ("digest", .string(deploy.digest)), ("state", .string(deploy.state.rawValue)), ("actor", .text(deploy.actor)),
            ("started_at", .text(deploy.startedAt?.description)),
        ]
        // Policies came later (migration 0013): only deploys a policy judged carry these, so older entries regenerate as they were.
        if let version = deploy.policyVersion {
            fields += [("policy_version", .integer(version)), ("policy_violations", .string(PolicyViolation.json(deploy.policyViolations)))]
        }
        if let writer = deploy.writtenBy { fields.append(("written_by", .string(writer.canonicalJSON))) }
        return LedgerEvent(.deployStarted, fields: fields)
    }

    package static func deployRefused(_ deploy: NewDeploy, _ verification: Verification, policy: PolicyJudgement?, at time: Timestamp) -> LedgerEvent {
        var fields: [(String, Value)] = [
            ("environment", .string(deploy.environment)), ("slot", .text(deploy.slot)), ("service", .string(deploy.service)),
            ("repository", .string(deploy.repository.name)), ("tag", .text(deploy.tag)), ("digest", .string(deploy.digest.description)),
            ("reason", .string(policy == nil ? verification.reason.rawValue : PolicyViolation.refusalReason)), ("actor", .text(deploy.actor)),
            ("refused_at", .string(time.description)),
        ]
        if let policy {
            fields += [("policy_version", .integer(policy.version)), ("violations", .string(PolicyViolation.json(policy.violations)))]
        }
        return LedgerEvent(.deployRefused, fields: fields)
    }

    package static func policySet(_ policy: PolicyVersion, document: String) -> LedgerEvent {
        LedgerEvent(.policySet, [
            "environment": .string(policy.environment), "version": .integer(policy.version), "policy": .string(document),
            "actor": .text(policy.actor), "set_at": .string(policy.setAt.description),
        ])
    }

    package static func deployFinished(id: Int64, state: DeployState, at time: Timestamp) -> LedgerEvent {
        LedgerEvent(.deployFinished, ["deploy_id": .integer(id), "state": .string(state.rawValue), "finished_at": .string(time.description)])
    }

    package static func deployCheck(_ check: DeployCheck) -> LedgerEvent {
        LedgerEvent(.deployCheck, [
            "deploy_id": .integer(check.deployID), "name": .string(check.name), "status": .string(check.status.rawValue),
            "detail": .text(check.detail), "checked_at": .string(check.checkedAt.description),
        ])
    }

    package static func imageMarkedBad(repository: String, digest: String, reason: String, at time: Timestamp) -> LedgerEvent {
        LedgerEvent(.imageMarkedBad, [
            "repository": .string(repository), "digest": .string(digest), "reason": .string(reason), "marked_at": .string(time.description),
        ])
    }
}
