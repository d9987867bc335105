#!/usr/bin/env bash
# Installs the packed library into a fresh project, next to cdk8s-cli from the registry, and runs `cdk8s synth`
# on an app that imports it: proves the published package works for a consumer, not just inside this repo.
set -euo pipefail
tarball="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/consumer/* "$work"/
cd "$work"

npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact "$tarball" \
  cdk8s@2 cdk8s-plus-27@2.9 constructs@10 cdk8s-cli@2 ts-node@10 typescript@5 @types/node@20

echo "--- cdk8s synth (hardened defaults)"
npx cdk8s synth
out="dist/consumer.k8s.yaml"
for expected in 'readOnlyRootFilesystem: true' 'runAsUser: 65532' 'type: RuntimeDefault' 'automountServiceAccountToken: false' 'kind: NetworkPolicy' '- ALL'; do
  grep -qF -- "$expected" "$out" || { echo "consumer output lacks '$expected'" >&2; exit 1; }
done

echo "--- the packaged check CLI (bundled yaml and commander) on the synthesized YAML"
npx --no-install cdk8s-hardened check --format text "$out"
printf 'apiVersion: v1\nkind: Pod\nmetadata: { name: bad }\nspec: { containers: [ { name: a, image: "x" } ] }\n' > bad.yaml
set +e
npx --no-install cdk8s-hardened check bad.yaml >bad.log 2>&1
code=$?
set -e
[ "$code" = 1 ] || { cat bad.log; echo "check on a non-compliant pod exited $code, expected 1" >&2; exit 1; }
echo "--- cdk8s synth with a weakened default must fail"
if WEAKEN=1 npx cdk8s synth >weakened.log 2>&1; then
  cat weakened.log
  echo "synthesis of a weakened workload succeeded without an exemption" >&2
  exit 1
fi
grep -q 'read-only-root-filesystem: Deployment consumer/' weakened.log || { cat weakened.log; echo "guard message missing" >&2; exit 1; }
echo "consumer smoke test passed"
