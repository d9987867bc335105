/**
 * Rendering a hardened workload has no side effect: the guard, the namespace quota check and every synthesis render
 * pod specs again, and each render must give the same JSON. cdk8s-plus-27's `spread: true` used to add its
 * anti-affinity terms at every render (2 required terms on the first App.synth(), 4 on the next, 6 and 12 inside an
 * IsolatedNamespace).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  HardenedCronJob, HardenedDaemonSet, HardenedDeployment, HardenedJob, HardenedStatefulSet, IsolatedNamespace, LeastPrivilegeServiceAccount,
  NamespaceQuota, NetworkPeer, Permission, RbacResource, WorkloadConnections,
} from '../../src';
import { loadYamlFile } from '../helpers/fixtures';
import { DIGEST_IMAGE, only, podSpec, withoutGuardSummary } from '../helpers/synth';

type Scope = 'a plain chart' | 'an IsolatedNamespace';

function chartIn(app: App, scope: Scope): Chart {
  return scope === 'a plain chart'
    ? new Chart(app, 'shop', { namespace: 'shop' })
    : new IsolatedNamespace(app, 'shop', { quota: NamespaceQuota.fromWorkloads({ daemonSetNodes: 3 }) });
}

/** The brief's reproduction: three spread replicas. */
function spreadDeployment(chart: Chart): HardenedDeployment {
  return new HardenedDeployment(chart, 'web', { replicas: 3, spread: true, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
}

/** Every hardened kind with the features that render something at synthesis. */
function everyKind(chart: Chart): void {
  const account = new LeastPrivilegeServiceAccount(chart, 'api-account', { permissions: [Permission.read(RbacResource.CONFIG_MAPS)] });
  const web = new HardenedDeployment(chart, 'web', {
    replicas: 3,
    spread: true,
    serviceAccount: account,
    initContainers: [{ image: DIGEST_IMAGE, command: ['/app/migrate'] }],
    containers: [{ image: DIGEST_IMAGE, portNumber: 8080, envVariables: { MODE: kplus.EnvValue.fromValue('web') } }],
    writablePaths: ['/var/cache/web'],
  });
  web.addContainer({ image: DIGEST_IMAGE, name: 'sidecar', portNumber: 9090 });
  web.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is('disk', 'ssd')));
  web.exposeViaService({ ports: [{ port: 80, targetPort: 8080, name: 'http' }] });
  const scaled = new HardenedDeployment(chart, 'scaled', { containers: [{ image: DIGEST_IMAGE, portNumber: 8081 }] });
  new kplus.HorizontalPodAutoscaler(chart, 'scaled-hpa', { target: scaled, minReplicas: 2, maxReplicas: 5 });
  const db = new HardenedStatefulSet(chart, 'db', {
    spread: true,
    containers: [{ image: DIGEST_IMAGE, portNumber: 5432 }],
    volumeClaims: [{ name: 'data', mountPath: '/var/lib/db', storage: Size.gibibytes(1) }],
  });
  const agent = new HardenedDaemonSet(chart, 'agent', { containers: [{ image: DIGEST_IMAGE, portNumber: 2020 }] });
  new HardenedJob(chart, 'migrate', { spread: true, containers: [{ image: DIGEST_IMAGE, command: ['/app/migrate'] }] });
  new HardenedCronJob(chart, 'backup', { schedule: Cron.daily(), containers: [{ image: DIGEST_IMAGE, command: ['/app/backup'] }] });
  WorkloadConnections.of(web).allowTo(NetworkPeer.workload(db));
  web.connections.allowFrom(agent, { ports: [kplus.NetworkPolicyPort.tcp(8080)] });
}

/** Synthesizes the app twice with App.synth() and twice with Testing.synth(), and a fresh copy once. */
function synthesizeRepeatedly(scope: Scope, build: (chart: Chart) => void) {
  const app = Testing.app();
  const chart = chartIn(app, scope);
  build(chart);
  const written = () => {
    withoutGuardSummary(() => app.synth());
    const files = fs.readdirSync(app.outdir).filter(f => f.endsWith('.k8s.yaml'));
    expect(files).toHaveLength(1);
    return loadYamlFile(path.join(app.outdir, files[0]));
  };
  const first = written();
  const second = written();
  const testing = [Testing.synth(chart), Testing.synth(chart)];
  const freshChart = chartIn(Testing.app(), scope);
  build(freshChart);
  return { first, second, testing, fresh: Testing.synth(freshChart) };
}

describe.each<Scope>(['a plain chart', 'an IsolatedNamespace'])('in %s', scope => {
  test('spread: true renders its two required anti-affinity terms once, however often the app is synthesized', () => {
    const { first, second, testing, fresh } = synthesizeRepeatedly(scope, spreadDeployment);
    for (const manifests of [first, second, ...testing, fresh]) {
      const pod = podSpec(only(manifests, 'Deployment'));
      const terms = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      expect(terms.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const term of terms) {
        expect(term.labelSelector).toEqual({ matchLabels: { 'cdk8s.io/metadata.addr': expect.any(String) } });
        expect(term.namespaces).toEqual(['shop']);
      }
      // The hardened soft spreading is kept beside the required terms the user asked for.
      expect(pod.topologySpreadConstraints).toEqual([{
        maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: terms[0].labelSelector,
      }]);
    }
    expect(second).toEqual(first);
    expect(testing[0]).toEqual(first);
    expect(testing[1]).toEqual(first);
    expect(fresh).toEqual(first);
  });

  test('every hardened kind renders the same JSON at every synthesis, and as a fresh app', () => {
    const { first, second, testing, fresh } = synthesizeRepeatedly(scope, everyKind);
    expect(first.map((m: any) => m.kind)).toEqual(expect.arrayContaining(
      ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler', 'Service', 'Role', 'RoleBinding']));
    expect(second).toEqual(first);
    expect(testing[0]).toEqual(first);
    expect(testing[1]).toEqual(first);
    expect(fresh).toEqual(first);
  });

  test('every ServiceAccount the hardened constructs emit mounts no token (service-account-automount)', () => {
    const { first } = synthesizeRepeatedly(scope, everyKind);
    const accounts = first.filter((m: any) => m.kind === 'ServiceAccount');
    // api-account, and the dedicated accounts of scaled, db, agent, migrate, backup (web uses api-account);
    // plus the namespace's default account inside an IsolatedNamespace.
    expect(accounts).toHaveLength(scope === 'a plain chart' ? 6 : 7);
    for (const account of accounts) {
      expect({ account: account.metadata.name, automount: account.automountServiceAccountToken })
        .toEqual({ account: account.metadata.name, automount: false });
    }
  });
});
