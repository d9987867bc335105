import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { NodeAgentChart } from '../../examples/node-agent/main';
import { Endpoint, FindingStatus, Guard, GuardReport, NetworkPeer, Reachability } from '../../src';
import { expectSchemaValid } from '../helpers/schema';
import { synthError, withoutGuardSummary } from '../helpers/synth';

describe('the node agent', () => {
  test('without exemptions, the hostPath mount fails synthesis (host-path-volumes and volume-types)', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent', { exemptions: [] });
    const message = synthError(chart);
    expect(message).toContain(`[node-agent/log-shipper/Resource] host-path-volumes: DaemonSet logging/${chart.agent.name} /spec/template/spec/volumes/`);
    expect(message).toContain(`[node-agent/log-shipper/Resource] volume-types: DaemonSet logging/${chart.agent.name} /spec/template/spec/volumes/`);
    expect(message).toContain('is a hostPath volume /var/log');
  });

  test('with its two exemptions, it synthesizes schema-valid YAML whose only findings are the exempted mount', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent');
    const manifests = Testing.synth(chart);
    expectSchemaValid(manifests);
    expect(manifests.map(m => m.kind).sort()).toEqual(['DaemonSet', 'NetworkPolicy', 'ServiceAccount']);
    expect(Guard.findings(chart).map(f => [f.controlId, f.status, f.kind, f.pointer]).sort()).toEqual([
      ['host-path-volumes', FindingStatus.EXEMPT, 'DaemonSet', '/spec/template/spec/volumes/2/hostPath'],
      ['volume-types', FindingStatus.EXEMPT, 'DaemonSet', '/spec/template/spec/volumes/2/hostPath'],
    ]);
    expect(Guard.unusedExemptions(chart)).toEqual([]);
    for (const manifest of manifests) {
      expect(manifest.metadata.namespace).toBe('logging');
    }
  });

  test('the exemptions are scoped to the agent, say what is mounted, and are recorded on the DaemonSet', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent');
    const manifests = Testing.synth(chart);
    for (const finding of Guard.findings(chart)) {
      expect(finding.exemption?.scopePath).toBe('node-agent/log-shipper');
      expect(finding.exemption?.reason).toMatch(/read-only/);
      expect(finding.exemption?.reason).toContain('/var/log');
    }
    const daemonSet = manifests.find(m => m.kind === 'DaemonSet');
    expect(Object.keys(daemonSet.metadata.annotations).sort()).toEqual([
      'exemptions.cdk8s-hardened.io/host-path-volumes', 'exemptions.cdk8s-hardened.io/volume-types',
    ]);
    for (const other of manifests.filter(m => m.kind !== 'DaemonSet')) {
      expect(other.metadata.annotations).toBeUndefined();
    }
  });

  test('only /var/log of the node, mounted read-only; the rest of the pod keeps the hardened defaults', () => {
    const manifests = Testing.synth(new NodeAgentChart(Testing.app(), 'node-agent'));
    const pod = manifests.find(m => m.kind === 'DaemonSet').spec.template.spec;
    const hostPaths = pod.volumes.filter((v: any) => v.hostPath);
    expect(hostPaths).toEqual([{ name: 'node-logs', hostPath: { path: '/var/log', type: 'Directory' } }]);
    const [shipper] = pod.containers;
    expect(shipper.volumeMounts.filter((m: any) => m.name === 'node-logs')).toEqual([{ name: 'node-logs', mountPath: '/var/log', readOnly: true }]);
    expect(shipper.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(pod.hostNetwork).toBe(false);
    expect(pod.hostPID).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('the report lists both exemptions with their reasons, narrowed to the volume', () => {
    const app = Testing.app();
    const chart = new NodeAgentChart(app, 'node-agent');
    withoutGuardSummary(() => app.synth());
    const report = GuardReport.of(chart).toJson();
    expect(report.exemptions.map((e: any) => [e.control, e.used, e.pointer])).toEqual([
      ['host-path-volumes', true, '/spec/template/spec/volumes/2'],
      ['volume-types', true, '/spec/template/spec/volumes/2'],
    ]);
    for (const e of report.exemptions) expect(e.reason).toContain('/var/log');
    const daemonSet = report.objects.find((o: any) => o.kind === 'DaemonSet');
    expect(daemonSet.controls['host-path-volumes'].status).toBe('exempt');
    expect(daemonSet.controls['host-path-volumes'].findings[0].exemption.reason).toMatch(/read-only mount of the node path \/var\/log/);
  });

  test('the exemptions do not stretch: another hostPath volume fails synthesis again', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent');
    const docker = kplus.Volume.fromHostPath(chart.agent, 'Docker', 'docker-sock', { path: '/var/run/docker.sock' });
    chart.agent.containers[0].mount('/var/run/docker.sock', docker);
    const message = synthError(chart);
    expect(message).toContain(`host-path-volumes: DaemonSet logging/${chart.agent.name} /spec/template/spec/volumes/3/hostPath`);
    expect(message).toContain(`volume-types: DaemonSet logging/${chart.agent.name} /spec/template/spec/volumes/3/hostPath`);
    expect(message).not.toContain('/volumes/2/');
  });

  test('the exemptions do not stretch: the exempted volume pointed at another node path fails synthesis again', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent');
    ApiObject.of(chart.agent).addJsonPatch(JsonPatch.replace('/spec/template/spec/volumes/2/hostPath/path', '/'));
    const message = synthError(chart);
    expect(message).toContain(`host-path-volumes: DaemonSet logging/${chart.agent.name} /spec/template/spec/volumes/2/hostPath: `);
    expect(message).toContain('volume-types: ');
  });

  test('the agent may ship logs to the declared collector, and to nothing else but DNS', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent');
    const manifests = Testing.synth(chart);
    const reach = Reachability.of(manifests);
    const agent = Endpoint.pod('logging', podLabels(manifests));
    const collector = Endpoint.pod('observability', { 'app.kubernetes.io/name': 'log-collector' });
    reach.assertAllowed(agent, collector, 24224);
    reach.assertDenied(agent, collector, 9200);
    reach.assertDenied(agent, Endpoint.pod('observability', { 'app.kubernetes.io/name': 'grafana' }), 24224);
    reach.assertDenied(agent, Endpoint.external('203.0.113.10'), 443);
    expect(reach.canResolveDns(agent).allowed).toBe(true);
  });

  test('the log destination is a prop: another collector replaces the default one', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent', {
      logCollector: { peer: NetworkPeer.cidr('10.20.0.0/16'), port: kplus.NetworkPolicyPort.tcp(6514) },
    });
    const manifests = Testing.synth(chart);
    const reach = Reachability.of(manifests);
    const agent = Endpoint.pod('logging', podLabels(manifests));
    reach.assertAllowed(agent, Endpoint.external('10.20.3.4'), 6514);
    reach.assertDenied(agent, Endpoint.pod('observability', { 'app.kubernetes.io/name': 'log-collector' }), 24224);
  });
});

describe('the node agent\'s exemptions say "never writable": they hold only while the mount is read-only', () => {
  test('a JSON patch making the /var/log mount writable fails synthesis at the mount', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent');
    ApiObject.of(chart.agent).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/volumeMounts/2/readOnly', false));
    const message = synthError(chart);
    expect(message).toContain(`host-path-volumes: DaemonSet logging/${chart.agent.name} /spec/template/spec/containers/0/volumeMounts/2/readOnly: `
      + 'containers[0] \'shipper\' mounts hostPath volume \'node-logs\' /var/log writable at "/var/log": volumeMounts[2].readOnly is false, not true');
  });

  test('removing readOnly from the mount fails the same way', () => {
    const chart = new NodeAgentChart(Testing.app(), 'node-agent');
    ApiObject.of(chart.agent).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/volumeMounts/2/readOnly'));
    expect(synthError(chart)).toContain('/spec/template/spec/containers/0/volumeMounts/2/readOnly: containers[0] \'shipper\' mounts hostPath volume');
  });
});

function podLabels(manifests: any[]): Record<string, string> {
  return manifests.find(m => m.kind === 'DaemonSet').spec.template.metadata.labels;
}
