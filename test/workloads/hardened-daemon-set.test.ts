import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, FindingStatus, Guard, HardenedDaemonSet } from '../../src';
import { DIGEST_IMAGE, IMAGE, expectHardenedPod, expectIsolatedPods, only, podSpec, REASON, synth, synthError } from '../helpers/synth';

function minimal(props: Partial<ConstructorParameters<typeof HardenedDaemonSet>[2]> = {}) {
  const chart = Testing.chart();
  const agent = new HardenedDaemonSet(chart, 'agent', {
    metadata: { namespace: 'shop' },
    containers: [{ image: DIGEST_IMAGE, portNumber: 2020 }],
    ...props,
  });
  return { chart, agent };
}

describe('with only an image and a port', () => {
  const { chart } = minimal();
  const manifests = synth(chart);
  const daemonSet = only(manifests, 'DaemonSet');
  const pod = podSpec(daemonSet);
  const [container] = pod.containers;

  test('the guard has no finding at all, errors or warnings', () => {
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('pod and container security contexts, token, ServiceAccount, resources and /tmp are hardened', () => {
    expectHardenedPod(pod, manifests);
  });

  test('readiness and liveness probes come from the port and differ', () => {
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 2020 });
    // Same socket, addressed by name: kube-score's pod-probes-identical compares only handler and port.
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'tcp-2020' });
    expect(container.ports).toEqual([{ containerPort: 2020, name: 'tcp-2020' }]);
    expect(container.livenessProbe).not.toEqual(container.readinessProbe);
    expect(container.livenessProbe.periodSeconds).toBeGreaterThan(container.readinessProbe.periodSeconds);
  });

  test('the NetworkPolicy selects exactly the pods: no ingress, egress to cluster DNS only', () => {
    expectIsolatedPods(manifests, daemonSet.spec.template.metadata.labels);
    expect(only(manifests, 'NetworkPolicy').spec.podSelector).toEqual(daemonSet.spec.selector);
  });

  test('rolling updates take down one node\'s pod at a time', () => {
    expect(daemonSet.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  test('one pod per node: no PodDisruptionBudget, no spreading, no replicas', () => {
    expect(manifests.filter(m => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.affinity).toBeUndefined();
    expect(daemonSet.spec.replicas).toBeUndefined();
  });

  test('no host access of any kind', () => {
    expect(pod.hostNetwork).toBe(false);
    expect(pod.hostPID).toBeUndefined();
    expect(pod.hostIPC).toBeUndefined();
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(container.ports).toEqual([{ containerPort: 2020, name: 'tcp-2020' }]);
  });

  test('recommended labels on the set and its pods', () => {
    for (const labels of [daemonSet.metadata.labels, daemonSet.spec.template.metadata.labels]) {
      expect(labels).toMatchObject({
        'app.kubernetes.io/name': 'test-agent',
        'app.kubernetes.io/instance': daemonSet.metadata.name,
        'app.kubernetes.io/managed-by': 'cdk8s-hardened',
      });
    }
  });
});

describe('documented defaults and their options', () => {
  test('maxUnavailable as a percentage, for large fleets', () => {
    const { chart, agent } = minimal({ maxUnavailable: kplus.PercentOrAbsolute.percent(10) });
    expect(agent.maxUnavailable.value).toBe('10%');
    expect(only(synth(chart), 'DaemonSet').spec.updateStrategy.rollingUpdate).toEqual({ maxUnavailable: '10%' });
  });

  test('containers and init containers added later get the same hardening; init containers get no probes', () => {
    const { chart, agent } = minimal();
    agent.addContainer({ name: 'exporter', image: DIGEST_IMAGE, portNumber: 9100 });
    agent.addInitContainer({ name: 'setup', image: DIGEST_IMAGE });
    const manifests = synth(chart);
    const pod = podSpec(only(manifests, 'DaemonSet'));
    expectHardenedPod(pod, manifests);
    expect(pod.containers[1].readinessProbe.tcpSocket.port).toBe(9100);
    expect(pod.initContainers[0].readinessProbe).toBeUndefined();
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('writable paths become sized emptyDirs mounted in every container', () => {
    const { chart } = minimal({ writablePaths: ['/var/lib/agent'] });
    const pod = podSpec(only(synth(chart), 'DaemonSet'));
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'var-lib-agent', mountPath: '/var/lib/agent' }]);
  });
});

describe('weakening a default needs an exemption', () => {
  function withHostLogs(props: Partial<ConstructorParameters<typeof HardenedDaemonSet>[2]> = {}) {
    const { chart, agent } = minimal(props);
    const logs = kplus.Volume.fromHostPath(agent, 'Logs', 'var-log', { path: '/var/log' });
    agent.containers[0].mount('/var/log', logs, { readOnly: true });
    return { chart, agent };
  }

  test('a hostPath volume fails synthesis twice over (baseline and restricted)', () => {
    const { chart, agent } = withHostLogs();
    const message = synthError(chart);
    expect(message).toContain(`[test/agent/Resource] host-path-volumes: DaemonSet shop/${agent.name} /spec/template/spec/volumes/1/hostPath`);
    expect(message).toContain(`[test/agent/Resource] volume-types: DaemonSet shop/${agent.name} /spec/template/spec/volumes/1`);
  });

  test('with both exemptions it synthesizes and records them on the DaemonSet', () => {
    const { chart } = withHostLogs({
      exemptions: [
        { control: Controls.HOST_PATH_VOLUMES, reason: 'reads node logs: read-only mount of /var/log only' },
        { control: Controls.VOLUME_TYPES, reason: 'the read-only /var/log hostPath mount, nothing else' },
      ],
    });
    const daemonSet = only(synth(chart), 'DaemonSet');
    expect(podSpec(daemonSet).volumes[1]).toEqual({ name: 'var-log', hostPath: { path: '/var/log', type: '' } });
    expect(daemonSet.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/host-path-volumes']);
    expect(daemonSet.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/volume-types']);
    expect(Guard.findings(chart).map(f => [f.controlId, f.status]).sort()).toEqual([
      ['host-path-volumes', FindingStatus.EXEMPT], ['volume-types', FindingStatus.EXEMPT],
    ]);
  });

  test('through a JSON-patch escape hatch: fails without an exemption, passes with one', () => {
    const patch = JsonPatch.replace('/spec/template/spec/hostNetwork', true);
    const bare = minimal();
    ApiObject.of(bare.agent).addJsonPatch(patch);
    expect(synthError(bare.chart)).toContain('host-namespaces: DaemonSet shop/');

    const exempted = minimal({ exemptions: [{ control: Controls.HOST_NAMESPACES, reason: REASON }] });
    ApiObject.of(exempted.agent).addJsonPatch(patch);
    expect(podSpec(only(synth(exempted.chart), 'DaemonSet')).hostNetwork).toBe(true);
  });
});

describe('bad input fails at construction with the path, the field and the fix', () => {
  const cases: Array<[string, () => void, RegExp]> = [
    ['maxUnavailable 0 stalls the rollout', () => minimal({ maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
      /\[test\/agent\] maxUnavailable: 0 would stall or skip the rollout/],
    ['maxUnavailable above 100%', () => minimal({ maxUnavailable: kplus.PercentOrAbsolute.percent(150) }), /maxUnavailable: "150%"/],
    ['latest tag', () => minimal({ containers: [{ image: 'agent:latest' }] }), /\[test\/agent\] containers\[0\]: image 'agent:latest' uses the tag 'latest'/],
    ['restartPolicy Never', () => minimal({ restartPolicy: kplus.RestartPolicy.NEVER }), /restartPolicy: 'Never' is not allowed for a DaemonSet/],
    ['relative writable path', () => minimal({ writablePaths: ['var/lib'] }), /\[test\/agent\] writablePaths\[0\]: "var\/lib" is not an absolute path/],
  ];
  test.each(cases)('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });

  test('a tag-pinned image only draws the image-digest warning', () => {
    const { chart } = minimal({ containers: [{ image: IMAGE, portNumber: 2020 }] });
    synth(chart);
    expect(Guard.findings(chart).map(f => f.controlId)).toEqual(['image-digest']);
  });
});
