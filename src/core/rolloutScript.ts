// The bash the generated cloudbuild.yaml runs in its `deploy` step: Mentor's deploy → verify → rollout in
// plain gcloud and curl, so a user can read it, run it by hand and edit it. It is written here with bash's
// own `$` (readable, and testable with `bash -n` or by running it); cloudBuildConfig.ts escapes every `$`
// as `$$` when it puts the script into the YAML, because Cloud Build substitutes `$NAME` in step args.
// Everything the script needs comes from the step's environment (see ROLLOUT_ENV), none from substitution.
import { DeployConfig, PatchableSetting } from './deployConfig';
import { HealthCheckStep } from './healthCheck';

/** The environment the deploy script reads (the step's `env:`), with what each one is. */
export const ROLLOUT_ENV = {
  PROJECT_ID: 'the project the service runs in',
  SERVICE: 'the Cloud Run service',
  REGION: 'its region',
  IMAGE: 'the image repository, without tag',
  SHORT_SHA: 'the commit being deployed (the image tag, and the candidate tag)',
  IMAGE_DIGEST_FILE: 'where the push step wrote IMAGE@sha256:… (the deploy runs exactly what was pushed)',
  HEALTH_PATH: 'the path the health check GETs',
  HEALTH_ACCEPT: '"2xx" (a 2xx answer) or "below-500" (any answer below 500: the port check)',
  VERIFY_SECONDS: 'how long the first check may wait for the new revision to answer',
  ROLLOUT_STEPS: 'the traffic percentages the candidate goes through, e.g. "50 100"',
  GATE_SECONDS: 'how long each step below 100% is watched',
  GATE_CHECKS: 'health checks during each gate',
  MAX_ERROR_RATE: 'the highest 5xx rate (percent) a gate accepts',
} as const;
export type RolloutEnvName = keyof typeof ROLLOUT_ENV;

/** The prefix of the candidate revision's tag; the commit's SHORT_SHA follows ("candidate-3f2a9c1"). */
export function candidateTagPrefix(service: string): string {
  // Cloud Run caps tag + service name at 46 characters; Mentor's own rule leaves 9 for the tag, which a
  // 7-character SHORT_SHA after "c-" still fits.
  return service.length + 'candidate-'.length + 7 <= 46 ? 'candidate-' : 'c-';
}

/** A value as one bash word: bare when it is plainly safe, else single-quoted. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** gcloud's list flags split on commas; a value with a comma needs the ^DELIM^ form (gcloud topic escaping). */
function listFlag(flag: string, pairs: string[]): string[] {
  if (!pairs.length) return [];
  if (!pairs.some((p) => p.includes(','))) return [`${flag}=${pairs.join(',')}`];
  const delimiter = ['@', '|', '#', ';', '~'].find((d) => !pairs.some((p) => p.includes(d)));
  if (!delimiter) throw new Error(`${flag}: the values use every delimiter gcloud can take (, @ | # ; ~).`);
  return [`${flag}=^${delimiter}^${pairs.join(delimiter)}`];
}

/**
 * The `gcloud run deploy` flags for the settings. `creating`: every setting (a new service gets all of
 * them, defaults included); otherwise only the settings the user set, plus env vars and secret refs,
 * which are merged (--update-*): what the live service has beyond them stays, as in Mentor's own deploy.
 */
export function deployFlags(config: DeployConfig, creating: boolean): string[] {
  const owns = (setting: PatchableSetting) => creating || config.explicit.has(setting);
  const flags: string[] = [];
  if (owns('memory')) flags.push(`--memory=${config.memory}`);
  if (owns('cpu')) flags.push(`--cpu=${config.cpu}`);
  if (owns('minInstances')) flags.push(`--min-instances=${config.minInstances}`);
  if (owns('maxInstances')) flags.push(`--max-instances=${config.maxInstances}`);
  if (owns('concurrency')) flags.push(`--concurrency=${config.concurrency}`);
  if (owns('timeoutSeconds')) flags.push(`--timeout=${config.timeoutSeconds}`);
  if (owns('port')) flags.push(`--port=${config.port}`);
  if (owns('ingress')) flags.push(`--ingress=${config.ingress}`);
  if (owns('serviceAccount') && config.serviceAccount) flags.push(`--service-account=${config.serviceAccount}`);
  if (owns('allowUnauthenticated')) flags.push(config.allowUnauthenticated ? '--allow-unauthenticated' : '--no-allow-unauthenticated');
  const env = Object.entries(config.env).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => `${name}=${value}`);
  const secrets = Object.entries(config.secrets).sort(([a], [b]) => a.localeCompare(b))
    .map(([name, ref]) => `${name}=${ref.secret}:${ref.version}`);
  return [...flags, ...listFlag('--update-env-vars', env), ...listFlag('--update-secrets', secrets)];
}

export interface DeployScriptInput {
  config: DeployConfig;
  healthCheck: HealthCheckStep;
}

/** A bash array assignment, one flag a line so a diff shows which setting changed. */
function bashArray(name: string, words: string[]): string {
  return words.length ? `${name}=(\n${words.map((w) => `  ${shellWord(w)}`).join('\n')}\n)` : `${name}=()`;
}

/** The deploy step's script (bash, plain `$`): deploy, verify, roll out with gates, roll back on failure. */
export function deployScript({ config }: DeployScriptInput): string {
  const prefix = candidateTagPrefix(config.service);
  return `# Mentor's rollout, in plain gcloud and curl. Any failure puts traffic back exactly as it was and ends
# the step with a last line "Mentor: <reason>".
set -uo pipefail
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
TAG="${prefix}\${SHORT_SHA}"
RUN=(--region="$REGION" --project="$PROJECT_ID")
ERR=$(mktemp)

# A new service gets every setting. An existing one gets only what the settings set explicitly, with env
# vars and secret references merged (--update-*): what else the live service has (other variables and
# secret refs, volumes, probes, labels, VPC, ...) stays as it is.
${bashArray('CREATE_FLAGS', deployFlags(config, true))}
${bashArray('UPDATE_FLAGS', deployFlags(config, false))}

fail() { echo "Mentor: $*"; exit 1; }
# Runs a command, shows its output, and keeps its stderr for the reason line.
run() { "$@" 2>"$ERR"; local rc=$?; cat "$ERR"; return $rc; }
# gcloud's last message without "ERROR: " and its final period (the reason line adds its own).
last_error() { grep -v '^[[:space:]]*$' "$ERR" | tail -n 1 | sed 's/^ERROR: //; s/\\.$//'; }
describe() { gcloud run services describe "$SERVICE" "\${RUN[@]}" "$@"; }

[ -n "$SHORT_SHA" ] || fail "SHORT_SHA is empty: run this build from a trigger, or pass --substitutions=SHORT_SHA=<commit>."
DIGEST=$(cat "$IMAGE_DIGEST_FILE" 2>/dev/null)
case "$DIGEST" in "$IMAGE"@sha256:*) ;; *) fail "the push step left no digest of $IMAGE:$SHORT_SHA in $IMAGE_DIGEST_FILE.";; esac
echo "Image: $DIGEST"

# The identity token a private service needs. Build service accounts get one from the metadata server;
# "gcloud auth print-identity-token" fails for credentials that cannot mint one (an access token given by
# hand, some emulators): the checks then go without it, and a 401/403 says so.
AUTH=()
TOKEN_NOTE=""
identity_token() {
  local token
  if token=$(gcloud auth print-identity-token --audiences="$1" 2>"$ERR") || token=$(gcloud auth print-identity-token 2>>"$ERR"); then
    AUTH=(-H "Authorization: Bearer $token")
  else
    TOKEN_NOTE=" (no identity token for the check: $(last_error))"
  fi
}

# GET url until it is accepted or the deadline passes; STATUS is the last answer (000: no answer).
STATUS=000
check() {
  local url=$1 deadline=$((SECONDS + $2))
  while :; do
    STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "\${AUTH[@]}" "$url" || true)
    case "$HEALTH_ACCEPT:$STATUS" in
      2xx:2??) return 0;;
      below-500:[1-4]??) return 0;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 2
  done
}
check_failed() {
  local why="GET $1 answered $STATUS"
  [ "$STATUS" = 000 ] && why="GET $1 got no answer"
  case "$STATUS" in 401|403) why="$why: the service is private and the check was not authorized$TOKEN_NOTE";; esac
  echo "$why"
}

# The share of requests the revision answered with 5xx since a time, from its Cloud Run request logs.
ERRORS=0
REQUESTS=0
error_rate() {
  local statuses
  statuses=$(gcloud logging read --project="$PROJECT_ID" --limit=10000 --format='value(httpRequest.status)' \\
    "resource.type=\\"cloud_run_revision\\" AND resource.labels.service_name=\\"$SERVICE\\" AND resource.labels.revision_name=\\"$1\\" AND logName=\\"projects/$PROJECT_ID/logs/run.googleapis.com%2Frequests\\" AND timestamp>=\\"$2\\"" 2>"$ERR") || return 1
  REQUESTS=$(grep -c '[0-9]' <<<"$statuses")
  ERRORS=$(grep -c '^5' <<<"$statuses")
  return 0
}

# A revision that failed to start says why in its logs: its last lines go to the build log, and the last
# line the container itself wrote (a traceback's last line, say) into the reason. Cloud Run names the
# revision in its error ("Revision 'S-00005-abc' is not ready").
LAST_LOG=""
revision_logs() {
  local revision lines own
  revision=$(grep -o "Revision '[^']*'" "$ERR" | head -n 1 | cut -d"'" -f2)
  [ -n "$revision" ] || return 0
  local filter="resource.type=\\"cloud_run_revision\\" AND resource.labels.revision_name=\\"$revision\\" AND textPayload:*"
  lines=$(gcloud logging read "$filter" --project="$PROJECT_ID" --limit=10 --format='value(textPayload)' 2>/dev/null | tac)
  [ -n "$lines" ] || return 0
  echo "Last log lines of $revision:"
  echo "$lines"
  own=$(gcloud logging read "$filter AND (logName:\\"%2Fstdout\\" OR logName:\\"%2Fstderr\\")" --project="$PROJECT_ID" --limit=1 \\
    --format='value(textPayload)' 2>/dev/null)
  LAST_LOG=" Last log line: \\"\${own:-$(tail -n 1 <<<"$lines")}\\"."
}

write_result() {
  local json
  json=$(printf '{"service":"%s","revision":"%s","url":"%s","healthPath":"%s","healthStatus":%s,"previousRevision":%s}' \\
    "$SERVICE" "$1" "$2" "$HEALTH_PATH" "$((10#$STATUS))" "$3")
  echo "Result: $json"
  if [ -n "\${BUILDER_OUTPUT:-}" ]; then mkdir -p "$BUILDER_OUTPUT" && echo "$json" > "$BUILDER_OUTPUT/output"; fi
}

if ! describe --format='value(metadata.name)' >/dev/null 2>"$ERR"; then
  grep -q 'Cannot find service' "$ERR" || fail "reading $SERVICE failed: $(last_error)"
  # A new service: Cloud Run refuses --no-traffic on create, so the first revision takes all traffic and
  # is verified on the service URL.
  echo "Creating $SERVICE in $REGION"
  if ! run gcloud run deploy "$SERVICE" "\${RUN[@]}" --image="$DIGEST" "\${CREATE_FLAGS[@]}"; then
    reason="creating $SERVICE failed: $(last_error)."
    revision_logs
    fail "$reason$LAST_LOG"
  fi
  URL=$(describe --format='value(status.url)')
  REVISION=$(describe --format='value(status.latestReadyRevisionName)')
  identity_token "$URL"
  check "$URL$HEALTH_PATH" "$VERIFY_SECONDS" || fail "$SERVICE was created, but $REVISION did not pass its health check: $(check_failed "$URL$HEALTH_PATH")."
  echo "Verified: GET $URL$HEALTH_PATH $STATUS"
  write_result "$REVISION" "$URL" null
  exit 0
fi

# The split that serves now, pinned to revisions: what any failure restores.
declare -A SHARE=()
ORDER=()
while IFS=, read -r rev percent; do
  [ -n "$rev" ] && [ "\${percent:-0}" -gt 0 ] || continue
  [ -n "\${SHARE[$rev]:-}" ] || ORDER+=("$rev")
  SHARE[$rev]=$(( \${SHARE[$rev]:-0} + percent ))
done < <(describe --flatten=status.traffic --format='csv[no-heading](status.traffic.revisionName,status.traffic.percent)')
PREVIOUS=""
SERVING=""
PREVIOUS_MAIN=""
for rev in "\${ORDER[@]}"; do
  PREVIOUS="\${PREVIOUS:+$PREVIOUS,}$rev=\${SHARE[$rev]}"
  SERVING="\${SERVING:+$SERVING, }$rev \${SHARE[$rev]}%"
  [ -n "$PREVIOUS_MAIN" ] && [ "\${SHARE[$rev]}" -le "\${SHARE[$PREVIOUS_MAIN]}" ] || PREVIOUS_MAIN=$rev
done
echo "Serving now: \${SERVING:-nothing}"

restore() {
  local to=()
  [ -n "$PREVIOUS" ] && to=(--to-revisions="$PREVIOUS")
  run gcloud run services update-traffic "$SERVICE" "\${RUN[@]}" "\${to[@]}" --remove-tags="$TAG"
}
# Restores the previous split, then fails with the reason (and how to restore by hand if that failed too).
roll_back() {
  local reason=$1
  echo "Rolling back to: \${SERVING:-no revision (none served before)}"
  if ! restore; then
    fail "$reason Restoring the previous split failed too ($(last_error)); restore it by hand: gcloud run services update-traffic $SERVICE --region=$REGION \${PREVIOUS:+--to-revisions=$PREVIOUS }--remove-tags=$TAG"
  fi
  fail "$reason Traffic is back on \${SERVING:-the revisions that served before}."
}

# A cancelled or timed-out build stops this step with SIGTERM: traffic must not stay half moved.
trap 'roll_back "the step was stopped (build cancelled or timed out)."' TERM INT

# The candidate: a new revision with no traffic, reachable only on its tag URL.
echo "Deploying a candidate of $SERVICE with no traffic (tag $TAG)"
if ! run gcloud run deploy "$SERVICE" "\${RUN[@]}" --image="$DIGEST" --no-traffic --tag="$TAG" "\${UPDATE_FLAGS[@]}"; then
  reason="deploying the candidate failed: $(last_error)."
  revision_logs
  roll_back "$reason$LAST_LOG"
fi
CANDIDATE=""
TAG_URL=""
while IFS=, read -r rev tag url; do
  [ "$tag" = "$TAG" ] && CANDIDATE=$rev && TAG_URL=$url
done < <(describe --flatten=status.traffic --format='csv[no-heading](status.traffic.revisionName,status.traffic.tag,status.traffic.url)')
URL=$(describe --format='value(status.url)')
[ -n "$CANDIDATE" ] && [ -n "$TAG_URL" ] || roll_back "Cloud Run shows no revision with the tag $TAG."
identity_token "$URL"
check "$TAG_URL$HEALTH_PATH" "$VERIFY_SECONDS" || roll_back "$CANDIDATE did not pass its health check: $(check_failed "$TAG_URL$HEALTH_PATH")."
echo "Verified $CANDIDATE: GET $TAG_URL$HEALTH_PATH $STATUS"

for percent in $ROLLOUT_STEPS; do
  if [ "$percent" -ge 100 ] || [ -z "$PREVIOUS" ]; then break; fi
  echo "Moving $percent% of traffic to $CANDIDATE"
  SINCE=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  run gcloud run services update-traffic "$SERVICE" "\${RUN[@]}" --to-tags="$TAG=$percent" || roll_back "moving $percent% to $CANDIDATE failed: $(last_error)."
  # The gate: health checks spread over GATE_SECONDS, then the candidate's 5xx rate in that window.
  for ((i = 1; i <= GATE_CHECKS; i++)); do
    sleep $((GATE_SECONDS / GATE_CHECKS))
    check "$TAG_URL$HEALTH_PATH" 10 || roll_back "health check $i/$GATE_CHECKS at $percent% failed: $(check_failed "$TAG_URL$HEALTH_PATH")."
    echo "Gate $percent%: health check $i/$GATE_CHECKS $STATUS"
  done
  if error_rate "$CANDIDATE" "$SINCE"; then
    echo "Gate $percent%: $ERRORS of $REQUESTS requests answered 5xx"
    if [ "$REQUESTS" -gt 0 ] && [ $((ERRORS * 100)) -gt $((MAX_ERROR_RATE * REQUESTS)) ]; then
      roll_back "$ERRORS of $REQUESTS requests to $CANDIDATE answered 5xx at $percent%, above the $MAX_ERROR_RATE% allowed."
    fi
  else
    # Reading logs needs roles/logging.viewer; without it the gate rests on the health checks alone.
    echo "Gate $percent%: error rate not checked: $(last_error)"
  fi
done

echo "Moving all traffic to $CANDIDATE"
run gcloud run services update-traffic "$SERVICE" "\${RUN[@]}" --to-revisions="$CANDIDATE=100" --remove-tags="$TAG" ||
  roll_back "moving all traffic to $CANDIDATE failed: $(last_error)."
echo "Deployed $CANDIDATE: $URL serves it; \${PREVIOUS_MAIN:-no revision} stays for a rollback."
PREVIOUS_JSON=null
[ -n "$PREVIOUS_MAIN" ] && PREVIOUS_JSON="\\"$PREVIOUS_MAIN\\""
write_result "$CANDIDATE" "$URL" "$PREVIOUS_JSON"
`;
}

/** The push step's script: push the commit's tag and record the digest the registry gave it. */
export function pushScript(): string {
  return `set -uo pipefail
docker push "$IMAGE:$SHORT_SHA" || { echo "Mentor: pushing $IMAGE:$SHORT_SHA failed (see the lines above)."; exit 1; }
# The deploy runs exactly this digest, whatever the tag points to later.
DIGEST=$(docker inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$IMAGE:$SHORT_SHA" | grep -m 1 "^$IMAGE@sha256:")
[ -n "$DIGEST" ] || { echo "Mentor: the registry gave $IMAGE:$SHORT_SHA no digest."; exit 1; }
echo "$DIGEST" > "$IMAGE_DIGEST_FILE"
echo "Pushed $DIGEST"
`;
}
