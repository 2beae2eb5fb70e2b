#!/usr/bin/env bash
# The whole release flow as a team's CI runs it, against a fresh ledger:
#   build and push 9 services -> record and sign the digests -> deploy to a protected prod under its policy ->
#   post-deploy validation as checks -> one service fails -> the rollback job reads the plan and redeploys ->
#   the DORA report of prod.
# Needs `shiplog` on PATH (scripts/run builds it) and python3 (to read JSON). Exits non-zero if any step
# does not behave as described. See docs/release-flow.md.
set -euo pipefail

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fresh ledger of its own, unless SHIPLOG_DB names a file to keep (the MCP tests read the flow's ledger after it).
export SHIPLOG_DB="${SHIPLOG_DB:-$work/ledger.sqlite}"
registry=registry.example.com/acme
services=(gateway orchestrator feature-dev code-review infrastructure cicd documentation rag state)

step() { printf '\n== %s\n' "$*"; }
# A stand-in for the digest `docker compose push` reports: deterministic per service and release.
digest_of() { printf 'sha256:%s' "$(printf '%s-%s' "$1" "$2" | sha256sum | cut -c1-64)"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

step "one-time setup: a protected prod and the CI signing key"
shiplog env create prod --require-signature
shiplog keys generate --algorithm ecdsa-p256 --out "$work/ci.key" --name ci-release >/dev/null
# prod's policy (docs/policy.md): only our registry, CI's key, and good means all three validation phases passed.
cat > "$work/prod-policy.yaml" <<EOF
repositories: ["$registry/*"]
signatures: {keys: [ci-release]}
checks: [health, mcp-tools, e2e]
EOF
shiplog policy set prod "$work/prod-policy.yaml"

release() {  # release VERSION FAILING_SERVICE
  local version=$1 failing=$2
  step "release $version: build, push, record, sign"
  for service in "${services[@]}"; do
    shiplog build record --service "$service" --image "$registry/$service:$version" \
      --digest "$(digest_of "$service" "$version")" --commit "commit-$version" --run-id "run-$version" \
      --commit-time "$(date -u -d '2 hours ago' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
    shiplog sign "$registry/$service@$(digest_of "$service" "$version")" --key "$work/ci.key" >/dev/null
  done
  step "release $version: deploy to prod and validate"
  for service in "${services[@]}"; do
    shiplog policy check prod "$registry/$service:$version" >/dev/null
    id=$(shiplog deploy start --env prod --service "$service" --image "$registry/$service:$version")
    shiplog deploy finish "$id" --status succeeded >/dev/null
    shiplog deploy check "$id" --name health --status pass >/dev/null
    shiplog deploy check "$id" --name mcp-tools --status pass >/dev/null
    if [ "$service" = "$failing" ]; then
      shiplog deploy check "$id" --name e2e --status fail --detail "review tool timed out" >/dev/null
    else
      shiplog deploy check "$id" --name e2e --status pass >/dev/null
    fi
  done
}

release v1 none
shiplog live prod

step "an unsigned image cannot reach prod"
if shiplog deploy start --env prod --service gateway --digest "$registry/gateway@$(digest_of gateway unsigned)"; then
  echo "the gate let an unsigned digest into prod" >&2; exit 1
fi

release v2 code-review
shiplog live prod

step "the rollback job: read the plan, redeploy what it says"
plan=$(shiplog rollback-plan prod --json)
echo "$plan" | json '"\n".join(a["service"] + ": " + a["action"] + " " + (a["digest"] or "") for a in d["actions"])'
redeploys=$(echo "$plan" | json '" ".join(a["service"] + "=" + a["repository"] + (":" + a["tag"] if a["tag"] else "") + "@" + a["digest"] for a in d["actions"] if a["action"] == "redeploy")')
[ "$redeploys" = "code-review=$registry/code-review:v1@$(digest_of code-review v1)" ] || { echo "unexpected plan: $redeploys" >&2; exit 1; }
# On the droplet the same plan is a compose override: docker compose -f docker-compose.yml -f rollback.yml up -d
shiplog rollback-plan prod --format compose > "$work/rollback.yml"
grep -q "image: \"$registry/code-review:v1@$(digest_of code-review v1)\"" "$work/rollback.yml" || { echo "the override misses code-review" >&2; exit 1; }
for item in $redeploys; do
  service=${item%%=*}
  id=$(shiplog deploy start --env prod --service "$service" --digest "${item#*=}")
  shiplog deploy finish "$id" --status succeeded >/dev/null
  for check in health mcp-tools e2e; do shiplog deploy check "$id" --name "$check" --status pass >/dev/null; done
done

step "after the rollback: everything live is good"
shiplog live prod
bad=$(shiplog live prod --json | json 'sum(1 for s in d["services"] if not s["good"])')
[ "$bad" = 0 ] || { echo "$bad services still not good" >&2; exit 1; }
[ "$(shiplog lkg prod --service code-review --json | json 'd["digest"]')" = "$(digest_of code-review v1)" ]
step "the policy's audit: every prod deploy judged against it (the failed e2e made one not good)"
audit=$(shiplog policy audit prod --json)
[ "$(echo "$audit" | json 'd["refused"], d["not_good"]')" = "0 1" ] || { echo "unexpected audit: $audit" >&2; exit 1; }
step "delivery metrics: 19 deploys, the code-review failure, its restore"
shiplog report dora --env prod
dora=$(shiplog report dora --env prod --json)
[ "$(echo "$dora" | json 'd["totals"]["deploys"], d["totals"]["failed_deploys"], d["totals"]["restores"]')" = "19 1 1" ] \
  || { echo "unexpected DORA totals: $dora" >&2; exit 1; }
[ "$(echo "$dora" | json 'd["totals"]["bands"]["lead_time"]')" = elite ] || { echo "lead time is not under a day: $dora" >&2; exit 1; }
echo "release flow: ok"
