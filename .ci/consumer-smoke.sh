#!/usr/bin/env bash
# The README's consumer project, run exactly as written: the blocks marked `<!-- consumer:run -->` (commands) and
# `<!-- consumer:file NAME -->` (files), in README order, in a fresh directory. Only the package name in the install
# line is replaced by the packed tarball. Then the output, the packaged check CLI and a weakened app are checked.
# Usage: .ci/consumer-smoke.sh dist/js/cdk8s-hardened-<version>.tgz
set -euo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
readme="$(cd "$(dirname "$0")/.." && pwd)/README.md"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# README blocks -> one script: commands as they are, files as quoted heredocs.
awk '
  /^<!-- consumer:run -->$/ { want = "run"; next }
  /^<!-- consumer:file [^ ]+ -->$/ { want = "file"; split($0, words, " "); name = words[3]; next }
  want != "" && /^```/ && !inside { inside = 1; if (want == "file") print "cat > " name " <<'"'"'README_BLOCK'"'"'"; next }
  inside && /^```$/ { inside = 0; if (want == "file") print "README_BLOCK"; want = ""; next }
  inside { print }
' "$readme" > readme-steps.sh
grep -q '^npm install cdk8s-hardened ' readme-steps.sh \
  || { cat readme-steps.sh; echo "README: no 'npm install cdk8s-hardened ...' line in a consumer:run block" >&2; exit 1; }
grep -q '^cat > main.ts ' readme-steps.sh && grep -q '^cat > cdk8s.yaml ' readme-steps.sh && grep -q '^npx cdk8s synth' readme-steps.sh \
  || { cat readme-steps.sh; echo "README: consumer blocks for cdk8s.yaml, main.ts and 'npx cdk8s synth' are missing" >&2; exit 1; }
sed -i "s#^npm install cdk8s-hardened #npm install '$tarball' #" readme-steps.sh

echo "--- the README's consumer steps"
cat readme-steps.sh
bash -euo pipefail readme-steps.sh

out="dist/shop.k8s.yaml"
for expected in 'readOnlyRootFilesystem: true' 'runAsUser: 65532' 'type: RuntimeDefault' 'automountServiceAccountToken: false' \
  'kind: NetworkPolicy' '- ALL'; do
  grep -qF -- "$expected" "$out" || { echo "consumer output lacks '$expected'" >&2; exit 1; }
done
# The quick start's exposeViaService(): a Service carrying the workload's recommended labels.
awk 'BEGIN { RS = "\n---\n" } /(^|\n)kind: Service\n/ && /app\.kubernetes\.io\/name:/ { found = 1 } END { exit !found }' "$out" \
  || { echo "consumer output has no Service labelled app.kubernetes.io/name" >&2; exit 1; }

echo "--- the packaged check CLI (bundled yaml and commander) on the synthesized YAML"
npx --no-install cdk8s-hardened check --format text "$out"
printf 'apiVersion: v1\nkind: Pod\nmetadata: { name: bad }\nspec: { containers: [ { name: a, image: "x" } ] }\n' > bad.yaml
set +e
npx --no-install cdk8s-hardened check bad.yaml >bad.log 2>&1
code=$?
set -e
[ "$code" = 1 ] || { cat bad.log; echo "check on a non-compliant pod exited $code, expected 1" >&2; exit 1; }

echo "--- cdk8s synth with a weakened default must fail"
cat > weakened.ts <<'TS'
import { App, Chart } from 'cdk8s';
import { HardenedDeployment } from 'cdk8s-hardened';

const app = new App({ outdir: 'weakened' });
new HardenedDeployment(new Chart(app, 'consumer', { namespace: 'consumer' }), 'web', {
  containers: [{ image: 'registry.example.com/consumer/web:1.0.0', portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } }],
});
app.synth();
TS
if npx cdk8s synth --app 'npx ts-node weakened.ts' --output weakened >weakened.log 2>&1; then
  cat weakened.log
  echo "synthesis of a weakened workload succeeded without an exemption" >&2
  exit 1
fi
grep -q 'read-only-root-filesystem: Deployment consumer/' weakened.log || { cat weakened.log; echo "guard message missing" >&2; exit 1; }
echo "consumer smoke test passed"
