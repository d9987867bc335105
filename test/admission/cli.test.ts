import { spawnSync } from 'child_process';
import * as path from 'path';
import * as jsYaml from 'js-yaml';
import { runCli } from '../../src/cli/program';
import { expectSchemaValid } from '../helpers/schema';

const ROOT = path.join(__dirname, '..', '..');

function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runCli(['node', 'cdk8s-hardened', ...args], { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } });
  return { code, stdout, stderr, documents: jsYaml.loadAll(stdout).filter(d => d !== null) as any[] };
}

describe('cdk8s-hardened policies', () => {
  test('--format vap prints every policy and binding as multi-document YAML on stdout, exit 0', () => {
    const { code, stdout, stderr, documents } = run('policies', '--format', 'vap');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expectSchemaValid(documents);
    const policies = documents.filter(d => d.kind === 'ValidatingAdmissionPolicy');
    expect(documents.filter(d => d.kind === 'ValidatingAdmissionPolicyBinding')).toHaveLength(policies.length);
    expect(policies.map(p => p.metadata.name)).toContain('cdk8s-hardened-seccomp-required');
    expect(policies.map(p => p.metadata.name)).not.toContain('cdk8s-hardened-image-registry');
    // The header names what the cluster does not enforce, and why.
    expect(stdout).toMatch(/^# cdk8s-hardened .*ValidatingAdmissionPolicies/);
    expect(stdout).toMatch(/#   namespace-default-deny: Needs other objects/);
  });

  test('--profile, --action and --allowed-registry shape the output', () => {
    const { code, documents } = run('policies', '--profile', 'baseline', '--action', 'audit', '--allowed-registry', 'registry.example.com', 'ghcr.io/acme');
    expect(code).toBe(0);
    const policies = documents.filter(d => d.kind === 'ValidatingAdmissionPolicy');
    expect(policies).toHaveLength(11);
    for (const binding of documents.filter(d => d.kind === 'ValidatingAdmissionPolicyBinding')) expect(binding.spec.validationActions).toEqual(['Audit']);
    // image-registry is not in the baseline profile; with the hardened profile the list is its literal.
    const hardened = run('policies', '--allowed-registry', 'registry.example.com', 'ghcr.io/acme').documents
      .find(d => d.metadata?.name === 'cdk8s-hardened-image-registry');
    expect(JSON.stringify(hardened.spec.validations)).toContain("['registry.example.com', 'ghcr.io/acme']");
  });

  test('--require-digests makes the image-digest policy deny, as required digests fail synthesis', () => {
    const digestBinding = (...args: string[]) => run('policies', ...args).documents
      .find(d => d.kind === 'ValidatingAdmissionPolicyBinding' && d.spec.policyName === 'cdk8s-hardened-image-digest');
    expect(digestBinding('--require-digests').spec.validationActions).toEqual(['Deny']);
    expect(digestBinding().spec.validationActions).toEqual(['Warn']);
    // A dry run stays a dry run.
    expect(digestBinding('--require-digests', '--action', 'warn').spec.validationActions).toEqual(['Warn']);
  });

  test('--platform openshift leaves out high-uid-gid, saying why in the header', () => {
    const { code, stdout, documents } = run('policies', '--platform', 'openshift');
    expect(code).toBe(0);
    expect(documents.map(d => d.metadata.name)).not.toContain('cdk8s-hardened-high-uid-gid');
    expect(stdout).toMatch(/#   high-uid-gid: Does not apply on OpenShift/);
    expect(run('policies').documents.map(d => d.metadata.name)).toContain('cdk8s-hardened-high-uid-gid');
  });

  test.each([
    [['--action', 'block'], /--action.*block.*Allowed choices are deny, warn, audit/s],
    [['--format', 'kyverno'], /Allowed choices are vap/],
    [['--pss-version', 'latest'], /--pss-version: .*never 'latest'/],
    [['--allowed-registry', ' '], /allowedRegistries .* must be a list of registry hosts/],
  ])('%j is a usage error: exit 2 with the reason', (args, message) => {
    const { code, stderr } = run('policies', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  test('the real command line prints the same YAML without loading cdk8s', () => {
    const script = "require('ts-node/register'); const { runCli } = require('./src/cli/program'); let out = '';"
      + " const code = runCli(['node', 'x', 'policies'], { stdout: t => { out += t; }, stderr: t => process.stderr.write(t) });"
      + ' const loaded = Object.keys(require.cache).filter(k => /node_modules[\\\\/](cdk8s|cdk8s-plus-27)[\\\\/]/.test(k));'
      + ' process.stdout.write(JSON.stringify({ code, loaded, size: out.length }));';
    const result = spawnSync(process.execPath, ['-e', script], {
      cwd: ROOT, encoding: 'utf-8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') },
    });
    const parsed = JSON.parse(result.stdout);
    expect(parsed.code).toBe(0);
    expect(parsed.loaded).toEqual([]);
    expect(parsed.size).toBe(run('policies').stdout.length);
  });
});
