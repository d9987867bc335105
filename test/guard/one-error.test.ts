/**
 * Every problem of a synthesis fails it in one error, in the guard's format: control findings, the problems
 * validations record (an IsolatedNamespace's quota) and expired exemptions, each once.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, Exemptions, Guard, HardenedDeployment, IsolatedNamespace, NamespaceQuota } from '../../src';
import { DIGEST_IMAGE, REASON, synthError } from '../helpers/synth';

/** The lines of a guard error that name a problem (`[construct/path] ...`). */
const problemLines = (message: string) => message.split('\n').map(l => l.trim()).filter(l => l.startsWith('['));

/** A namespace admitting one pod, holding a plain cdk8s-plus Deployment (2 replicas + 1 surge: 3 pods). */
function plainDeploymentInTinyNamespace(app: App): IsolatedNamespace {
  Guard.protect(app, { printSummary: false });
  const ns = new IsolatedNamespace(app, 'shop', { quota: NamespaceQuota.of({ pods: 1 }) });
  new kplus.Deployment(ns, 'plain', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
  return ns;
}

describe('a plain Deployment in an IsolatedNamespace too small for it', () => {
  test('fails with one guard error holding the quota problem and every guard finding', () => {
    const message = synthError(plainDeploymentInTinyNamespace(Testing.app()));
    expect(message.startsWith('cdk8s-hardened guard: ')).toBe(true);
    expect(message).not.toContain('Validation failed');
    const lines = problemLines(message);
    expect(message).toContain(`cdk8s-hardened guard: ${lines.length} finding(s) fail synthesis:`);
    expect(lines).toContainEqual(expect.stringMatching(/^\[shop\] quota: the workloads of namespace 'shop' need pods 3 but the quota allows 1 \(shop\/plain: 3 pods/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[shop\/plain\/Resource\] seccomp-required: Deployment shop\/shop-plain-c8[0-9a-f]+ \/spec\/template\/spec\/containers\/0\/securityContext\/seccompProfile: .+; .+/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[shop\/plain\/Resource\] capabilities-drop-all: Deployment shop\//));
  });

  test('App.synth() throws the same one error and writes no file', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'one-error-'));
    const app = new App({ outdir });
    plainDeploymentInTinyNamespace(app);
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.startsWith('cdk8s-hardened guard: ')).toBe(true);
    expect(problemLines(message).some(l => l.startsWith("[shop] quota: the workloads of namespace 'shop' need pods 3"))).toBe(true);
    expect(problemLines(message).some(l => l.startsWith('[shop/plain/Resource] seccomp-required:'))).toBe(true);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('a quota problem alone fails in the guard format too, before any file is written, even from a chart without guarded objects', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'one-error-'));
    const app = new App({ outdir });
    // Synthesized first (charts are written in order) and guards nothing: the error must still come before its file.
    new Chart(app, 'a-unguarded', { namespace: 'shop' });
    const ns = new IsolatedNamespace(app, 'shop', { quota: NamespaceQuota.of({ pods: 1 }) });
    new HardenedDeployment(ns, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(() => app.synth()).toThrow(/^cdk8s-hardened guard: 7 finding\(s\) fail synthesis:\n {2}\[shop\] quota: the workloads of namespace 'shop' need pods 3 but the quota allows 1 /);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});

describe('an expired exemption is reported once', () => {
  const expired = { control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, expires: '2001-01-31' };

  test('attached to a hardened workload in a protected app (two protected scopes cover it)', () => {
    const app = Testing.app();
    Guard.protect(app);
    const chart = new Chart(app, 'test', { namespace: 'shop' });
    new HardenedDeployment(chart, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }], exemptions: [expired] });
    const lines = problemLines(synthError(chart));
    expect(lines).toEqual([`[test/web] read-only-root-filesystem: exemption attached at [test/web] expired on 2001-01-31 (reason: ${REASON}); `
      + 'fix the finding and remove the exemption, or renew it with a new expiry after review']);
  });

  test('attached to a protected chart holding two hardened workloads, alongside their findings', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'shop' });
    Guard.protect(chart);
    Exemptions.of(chart).add(expired);
    for (const id of ['a', 'b']) new HardenedDeployment(chart, id, { containers: [{ image: DIGEST_IMAGE, portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } }] });
    const message = synthError(chart);
    expect(message.startsWith('cdk8s-hardened guard: ')).toBe(true);
    expect(message.split('expired on 2001-01-31')).toHaveLength(2);
    expect(problemLines(message).filter(l => / read-only-root-filesystem: Deployment shop\//.test(l)).map(l => l.split(']')[0])).toEqual(['[test/a/Resource', '[test/b/Resource']);
  });
});
