import { Testing } from 'cdk8s';
import { NodeAgentChart } from '../../examples/node-agent/main';
import { FindingStatus, Guard } from '../../src';
import { expectSchemaValid } from '../helpers/schema';
import { synthError } from '../helpers/synth';

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
});
