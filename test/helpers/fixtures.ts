import * as fs from 'fs';
import * as path from 'path';
import * as jsYaml from 'js-yaml';

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
  return fs.readdirSync(dir).filter(n => n.endsWith('.yaml')).sort().flatMap(n => loadYamlFile(path.join(dir, n)));
}

/**
 * The non-empty documents of a YAML file, parsed in this process. cdk8s's `Yaml.load` spawns a node process per
 * file (it also fetches URLs), which cost about 30 s per pass over the fixtures. Every fixture reads the same with
 * js-yaml as with `Yaml.load` (YAML 1.1); a fixture relying on 1.1-only scalars (`yes`, `0755`) would not.
 */
export function loadYamlFile(file: string): any[] {
  return jsYaml.loadAll(fs.readFileSync(file, 'utf-8')).filter(d => d !== null && d !== undefined);
}

let parsedFixtures: Fixture[] | undefined;

/**
 * Every fixture file under test/fixtures/<control-id>/{pass,fail}/*.yaml. Parsed once per test file; each call
 * returns a fresh copy, so a test that changes a manifest cannot change what another test sees.
 */
export function loadFixtures(): Fixture[] {
  parsedFixtures ??= parseFixtures();
  return parsedFixtures.map(f => {
    const manifests = structuredClone(f.manifests);
    return { ...f, manifests, manifest: manifests[0] };
  });
}

function parseFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const controlId of fs.readdirSync(FIXTURES_DIR).sort()) {
    const controlDir = path.join(FIXTURES_DIR, controlId);
    if (controlId.startsWith('_') || !fs.statSync(controlDir).isDirectory()) continue;
    for (const verdict of ['pass', 'fail'] as const) {
      const dir = path.join(controlDir, verdict);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir).filter(n => n.endsWith('.yaml')).sort()) {
        const file = path.join(dir, name);
        const manifests = loadYamlFile(file);
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
