import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { expectSchemaValid } from './schema';
import { today } from '../../src/guard/evaluate';
import { addDays } from '../../src/guard/exemption-rules';
import { volumeNeedsGroup } from '../../src/workloads/volume-ownership';

/** Synthesizes a chart, validating every object against the Kubernetes schema. */
export function synth(chart: Construct): any[] {
  const manifests = Testing.synth(chart as any);
  expectSchemaValid(manifests);
  return manifests;
}

/**
 * Runs `run` (an `App.synth()` or `synthYaml()`) without the guard's summary table on stderr: one table per
 * synthesis would bury a failing test's output. Nothing else is swallowed; that `App.synth()` prints the summary
 * by default has its own test in test/guard/report.test.ts.
 */
export function withoutGuardSummary<T>(run: () => T): T {
  const write = process.stderr.write.bind(process.stderr);
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: any, ...rest: any[]) =>
    String(chunk).startsWith('cdk8s-hardened guard:\n') ? true : write(chunk, ...rest)) as any);
  try {
    return run();
  } finally {
    spy.mockRestore();
  }
}

/** The one manifest of a kind (fails the test when there is not exactly one). */
export function only(manifests: any[], kind: string): any {
  const found = manifests.filter(m => m.kind === kind);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  }
  return found[0];
}

/** The error message synthesis fails with (fails the test when it succeeds). */
export function synthError(chart: Construct): string {
  try {
    Testing.synth(chart as any);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail, but it succeeded');
}

/** Pod spec of a Deployment/StatefulSet/DaemonSet/Job manifest. */
export function podSpec(manifest: any): any {
  return manifest.kind === 'CronJob' ? manifest.spec.jobTemplate.spec.template.spec : manifest.spec.template.spec;
}

export const IMAGE = 'registry.example.com/shop/web:1.4.2';
export const DIGEST_IMAGE = 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
export const REASON = 'vendor image writes its pid file under /run; tracked with the vendor';

/** An expiry `days` after today (exemptions may run at most 365 days). */
export function expiresIn(days: number): string {
  return addDays(today(), days);
}

/**
 * Asserts every hardened field of a rendered pod spec with the library defaults (uid/gid 65532, SMALL preset):
 * pod and container security contexts, no token, a dedicated ServiceAccount, requests and limits, a sized /tmp.
 */
export function expectHardenedPod(pod: any, manifests: any[]): void {
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
  });
  // fsGroup only where a volume needs group ownership (src/workloads/volume-ownership.ts), else neither field.
  const owned = (pod.volumes ?? []).some(volumeNeedsGroup);
  const { fsGroup, fsGroupChangePolicy } = pod.securityContext;
  expect({ fsGroup, fsGroupChangePolicy }).toEqual(owned ? { fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch' } : {});
  expect(pod.automountServiceAccountToken).toBe(false);
  const account = only(manifests, 'ServiceAccount');
  expect(account.automountServiceAccountToken).toBe(false);
  expect(pod.serviceAccountName).toBe(account.metadata.name);
  expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
  for (const container of [...pod.containers, ...pod.initContainers ?? []]) {
    // A digest cannot change, so the cached image is the one asked for; a tag may have moved since the last pull.
    expect(container.imagePullPolicy).toBe(/@sha256:/.test(container.image) ? 'IfNotPresent' : 'Always');
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' },
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
    });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  }
}

/** Asserts the workload's NetworkPolicy selects exactly its pods, allows no ingress and only DNS egress. */
export function expectIsolatedPods(manifests: any[], podLabels: Record<string, string>): void {
  const policy = only(manifests, 'NetworkPolicy');
  const selected = policy.spec.podSelector.matchLabels;
  expect(Object.keys(selected).length).toBeGreaterThan(0);
  for (const [key, value] of Object.entries(selected)) {
    expect(podLabels[key]).toBe(value);
  }
  expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  expect(policy.spec.ingress ?? []).toEqual([]);
  expect(policy.spec.egress).toEqual([{
    to: [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    }],
    ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
  }]);
}
