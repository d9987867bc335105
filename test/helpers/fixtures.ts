import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

/** Annotations a fixture may carry to steer the harness (they mean nothing to the library). */
export const FIXTURE_ANNOTATIONS = {
  /** Comma-separated control ids a fail fixture must fail; default: the fixture folder's control id. */
  expect: 'fixtures.cdk8s-hardened.io/expect',
  /** PSS version to evaluate with, e.g. `v1.25`; default v1.27. */
  pssVersion: 'fixtures.cdk8s-hardened.io/pss-version',
  /** Comma-separated registry allow-list for `image-registry`. */
  allowedRegistries: 'fixtures.cdk8s-hardened.io/allowed-registries',
  /** `as-is` to skip generating the pod-controller forms of a Pod fixture. */
  forms: 'fixtures.cdk8s-hardened.io/forms',
};

/** One fixture file: all its documents are evaluated together, as one app. */
export interface Fixture {
  readonly controlId: string;
  readonly verdict: 'pass' | 'fail';
  readonly file: string;
  /** The file's documents. */
  readonly manifests: any[];
  /** The first document: where the harness annotations are read. */
  readonly manifest: any;
}

/**
 * Objects every fixture is evaluated with (test/fixtures/_shared/): a default-deny NetworkPolicy for the
 * `fixtures` namespace the pod fixtures live in, so they are not all also failures of workload-network-policy.
 */
export function loadSharedObjects(): any[] {
  const dir = path.join(FIXTURES_DIR, '_shared');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter(n => n.endsWith('.yaml')).sort().flatMap(n => Yaml.load(path.join(dir, n)));
}

/** Every fixture file under test/fixtures/<control-id>/{pass,fail}/*.yaml. */
export function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const controlId of fs.readdirSync(FIXTURES_DIR).sort()) {
    const controlDir = path.join(FIXTURES_DIR, controlId);
    if (controlId.startsWith('_') || !fs.statSync(controlDir).isDirectory()) continue;
    for (const verdict of ['pass', 'fail'] as const) {
      const dir = path.join(controlDir, verdict);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir).filter(n => n.endsWith('.yaml')).sort()) {
        const file = path.join(dir, name);
        const manifests = Yaml.load(file).filter(m => m);
        fixtures.push({ controlId, verdict, file: path.relative(FIXTURES_DIR, file), manifests, manifest: manifests[0] });
      }
    }
  }
  return fixtures;
}

export function annotation(manifest: any, key: string): string | undefined {
  return manifest?.metadata?.annotations?.[key];
}

/**
 * The pod-controller forms of a Pod fixture: the same pod template inside every kind that carries one.
 * Job and CronJob pods get restartPolicy Never, as those kinds require.
 */
export function controllerForms(pod: any): any[] {
  const metadata = { name: pod.metadata.name, namespace: pod.metadata.namespace, annotations: pod.metadata.annotations };
  const labels = { app: pod.metadata.name };
  const template = (restartPolicy?: string) => ({
    metadata: { labels, annotations: pod.metadata.podAnnotations ?? pod.metadata.annotations },
    spec: { ...pod.spec, restartPolicy: restartPolicy ?? pod.spec.restartPolicy },
  });
  const selector = { matchLabels: labels };
  const runToCompletion = (pod.spec.restartPolicy ?? 'Always') === 'Always' ? 'Never' : pod.spec.restartPolicy;
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: 1, selector, template: template() } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata, spec: { replicas: 1, selector, template: template() } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec: { replicas: 1, serviceName: metadata.name, selector, template: template() } },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata, spec: { selector, template: template() } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { template: template(runToCompletion) } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: template(runToCompletion) } } } },
    { apiVersion: 'v1', kind: 'ReplicationController', metadata, spec: { replicas: 1, selector: labels, template: template() } },
  ];
}
