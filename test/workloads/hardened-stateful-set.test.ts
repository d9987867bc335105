import { ApiObject, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, FindingStatus, Guard, HardenedStatefulSet } from '../../src';
import { DIGEST_IMAGE, IMAGE, expectHardenedPod, expectIsolatedPods, only, podSpec, REASON, synth, synthError } from '../helpers/synth';

function minimal(props: Partial<ConstructorParameters<typeof HardenedStatefulSet>[2]> = {}) {
  const chart = Testing.chart();
  const set = new HardenedStatefulSet(chart, 'db', {
    metadata: { namespace: 'shop' },
    containers: [{ image: DIGEST_IMAGE, portNumber: 5432 }],
    ...props,
  });
  return { chart, set };
}

const DATA = { name: 'data', mountPath: '/var/lib/db', storage: Size.gibibytes(10) };

describe('with only an image and a port', () => {
  const { chart, set } = minimal();
  const manifests = synth(chart);
  const statefulSet = only(manifests, 'StatefulSet');
  const pod = podSpec(statefulSet);
  const [container] = pod.containers;

  test('the guard has no finding at all, errors or warnings', () => {
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('pod and container security contexts, token, ServiceAccount, resources and /tmp are hardened', () => {
    expectHardenedPod(pod, manifests);
    expect(only(manifests, 'ServiceAccount').metadata.namespace).toBe('shop');
  });

  test('readiness and liveness probes come from the port and differ', () => {
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 5432 });
    // Same socket, addressed by name: kube-score's pod-probes-identical compares only handler and port.
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'tcp-5432' });
    expect(container.ports).toEqual([{ containerPort: 5432, name: 'tcp-5432' }]);
    expect(container.livenessProbe).not.toEqual(container.readinessProbe);
    expect(container.livenessProbe.periodSeconds).toBeGreaterThan(container.readinessProbe.periodSeconds);
  });

  test('the NetworkPolicy selects exactly the pods: no ingress, egress to cluster DNS only', () => {
    expectIsolatedPods(manifests, statefulSet.spec.template.metadata.labels);
    expect(only(manifests, 'NetworkPolicy').spec.podSelector).toEqual(statefulSet.spec.selector);
  });

  test('a headless Service named by the set, with the containers\' ports, selecting its pods', () => {
    const service = only(manifests, 'Service');
    expect(set.service.node.path).toBe('test/db/Service');
    expect(statefulSet.spec.serviceName).toBe(service.metadata.name);
    expect(service.metadata.namespace).toBe('shop');
    expect(service.spec).toMatchObject({ clusterIP: 'None', type: 'ClusterIP', ports: [{ port: 5432, targetPort: 5432 }] });
    expect(service.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    expect(service.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'cdk8s-hardened', 'app.kubernetes.io/instance': statefulSet.metadata.name });
  });

  test('two replicas by default, with a PodDisruptionBudget and spreading across nodes', () => {
    expect(statefulSet.spec.replicas).toBe(2);
    expect(set.replicas).toBe(2);
    expect(only(manifests, 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1, selector: statefulSet.spec.selector, unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    expect(pod.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: statefulSet.spec.selector,
    }]);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
  });

  test('cdk8s-plus\'s ordered pod management and rolling updates are kept', () => {
    expect(statefulSet.spec.podManagementPolicy).toBe('OrderedReady');
    expect(statefulSet.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  });

  test('no claim templates unless asked for', () => {
    expect(statefulSet.spec.volumeClaimTemplates).toBeUndefined();
    expect(pod.securityContext.fsGroup).toBeUndefined();
    expect(pod.securityContext.fsGroupChangePolicy).toBeUndefined();
  });

  test('recommended labels on the set and its pods', () => {
    for (const labels of [statefulSet.metadata.labels, statefulSet.spec.template.metadata.labels]) {
      expect(labels).toMatchObject({
        'app.kubernetes.io/name': 'test-db',
        'app.kubernetes.io/instance': statefulSet.metadata.name,
        'app.kubernetes.io/managed-by': 'cdk8s-hardened',
      });
    }
  });
});

describe('volume claim templates', () => {
  test('each claim is a template, mounted in every container, writable through the pod fsGroup', () => {
    const { chart, set } = minimal({
      volumeClaims: [DATA, { name: 'wal', mountPath: '/var/lib/wal', storage: Size.mebibytes(512), storageClassName: 'fast-ssd', accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] }],
    });
    set.addInitContainer({ name: 'init-db', image: DIGEST_IMAGE });
    set.addContainer({ name: 'exporter', image: DIGEST_IMAGE, portNumber: 9187 });
    const manifests = synth(chart);
    const statefulSet = only(manifests, 'StatefulSet');
    const pod = podSpec(statefulSet);
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data', labels: expect.objectContaining({ 'app.kubernetes.io/managed-by': 'cdk8s-hardened' }) },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      },
      {
        metadata: { name: 'wal', labels: expect.objectContaining({ 'app.kubernetes.io/managed-by': 'cdk8s-hardened' }) },
        spec: { accessModes: ['ReadWriteOncePod'], storageClassName: 'fast-ssd', resources: { requests: { storage: '512Mi' } } },
      },
    ]);
    for (const c of [...pod.containers, ...pod.initContainers]) {
      expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'data', mountPath: '/var/lib/db' }, { name: 'wal', mountPath: '/var/lib/wal' }]);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    }
    // The StatefulSet controller provides the claim volumes: the pod lists only its own.
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    expect(pod.securityContext).toMatchObject({ fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch', runAsUser: 65532 });
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('a container that mounts the claim itself keeps its own mount', () => {
    const { chart, set } = minimal({ volumeClaims: [DATA] });
    const claim = kplus.Volume.fromPersistentVolumeClaim(set, 'Data', kplus.PersistentVolumeClaim.fromClaimName(set, 'Claim', 'data'), { name: 'data' });
    set.addContainer({ name: 'reader', image: IMAGE, volumeMounts: [{ path: '/srv/data', volume: claim, readOnly: true, subPath: 'exports' }] });
    const reader = podSpec(only(synth(chart), 'StatefulSet')).containers[1];
    expect(reader.volumeMounts.filter((m: any) => m.name === 'data')).toEqual([{ name: 'data', mountPath: '/srv/data', readOnly: true, subPath: 'exports' }]);
  });

  test('the image\'s own gid owns the volumes', () => {
    const { chart } = minimal({ volumeClaims: [DATA], runAsUser: 10001, runAsGroup: 10002 });
    expect(podSpec(only(synth(chart), 'StatefulSet')).securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10002, fsGroup: 10002 });
  });
});

describe('documented defaults and their options', () => {
  test('one replica: no PodDisruptionBudget and no spreading', () => {
    const { chart } = minimal({ replicas: 1 });
    const manifests = synth(chart);
    expect(manifests.filter(m => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(podSpec(only(manifests, 'StatefulSet')).topologySpreadConstraints).toBeUndefined();
  });

  test('parallel pod management is passed through', () => {
    const { chart } = minimal({ podManagementPolicy: kplus.PodManagementPolicy.PARALLEL });
    expect(only(synth(chart), 'StatefulSet').spec.podManagementPolicy).toBe('Parallel');
  });

  test('a given service is used and no headless Service is created', () => {
    const chart = Testing.chart();
    const service = new kplus.Service(chart, 'own', { metadata: { namespace: 'shop' }, clusterIP: 'None', ports: [{ port: 5432 }] });
    const set = new HardenedStatefulSet(chart, 'db', { metadata: { namespace: 'shop' }, service, containers: [{ image: DIGEST_IMAGE, portNumber: 5432 }] });
    const manifests = synth(chart);
    expect(set.service).toBe(service);
    expect(manifests.filter(m => m.kind === 'Service')).toHaveLength(1);
    expect(only(manifests, 'StatefulSet').spec.serviceName).toBe(service.name);
  });

  test('containers added later get the hardening, and their ports join the headless Service', () => {
    const chart = Testing.chart();
    const set = new HardenedStatefulSet(chart, 'db', { metadata: { namespace: 'shop' } });
    set.addContainer({ image: DIGEST_IMAGE, portNumber: 5432 });
    set.addContainer({ name: 'exporter', image: DIGEST_IMAGE, ports: [{ number: 9187, name: 'metrics' }] });
    const manifests = synth(chart);
    // With several ports Kubernetes requires each to be named: the unnamed one is named after its protocol and number.
    expect(only(manifests, 'Service').spec.ports).toEqual([{ name: 'tcp-5432', port: 5432, targetPort: 5432 }, { name: 'metrics', port: 9187, targetPort: 9187 }]);
    expectHardenedPod(podSpec(only(manifests, 'StatefulSet')), manifests);
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('without any container port the headless Service cannot name the pods: synthesis says so', () => {
    const { chart } = minimal({ containers: [{ image: DIGEST_IMAGE }] });
    expect(synthError(chart)).toContain('[test/db] the headless Service needs a port to name the pods by; give a container portNumber or ports, or pass a service');
  });
});

describe('weakening a default needs an exemption', () => {
  const writable = { image: DIGEST_IMAGE, portNumber: 5432, securityContext: { readOnlyRootFilesystem: false } };

  test('through props: synthesis fails with path, control, object and pointer', () => {
    const { chart, set } = minimal({ containers: [writable] });
    expect(synthError(chart)).toContain(`[test/db/Resource] read-only-root-filesystem: StatefulSet shop/${set.name} `
      + '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem');
  });

  test('through props with an exemption: synthesizes and records the exemption on the object', () => {
    const { chart } = minimal({ containers: [writable], exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON }] });
    const statefulSet = only(synth(chart), 'StatefulSet');
    expect(podSpec(statefulSet).containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(statefulSet.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/read-only-root-filesystem']);
    expect(Guard.findings(chart).map(f => [f.controlId, f.status])).toEqual([['read-only-root-filesystem', FindingStatus.EXEMPT]]);
  });

  test('through a JSON-patch escape hatch: fails without an exemption, passes with one', () => {
    const patch = JsonPatch.replace('/spec/template/spec/hostNetwork', true);
    const bare = minimal();
    ApiObject.of(bare.set).addJsonPatch(patch);
    expect(synthError(bare.chart)).toContain('host-namespaces: StatefulSet shop/');

    const exempted = minimal({ exemptions: [{ control: Controls.HOST_NAMESPACES, reason: REASON }] });
    ApiObject.of(exempted.set).addJsonPatch(patch);
    expect(podSpec(only(synth(exempted.chart), 'StatefulSet')).hostNetwork).toBe(true);
    expect(Guard.findings(exempted.chart).map(f => [f.controlId, f.status])).toEqual([['host-namespaces', FindingStatus.EXEMPT]]);
  });
});

describe('bad input fails at construction with the path, the field and the fix', () => {
  const cases: Array<[string, () => void, RegExp]> = [
    ['claim name not a DNS label', () => minimal({ volumeClaims: [{ ...DATA, name: 'Data_1' }] }),
      /\[test\/db\] volumeClaims\[0\].name: "Data_1" is not a volume name/],
    ['claim name taken by a writable volume', () => minimal({ volumeClaims: [{ ...DATA, name: 'tmp' }] }),
      /volumeClaims\[0\].name: 'tmp' is already the name of another volume/],
    ['claim inside /tmp', () => minimal({ volumeClaims: [{ ...DATA, mountPath: '/tmp/data' }] }),
      /volumeClaims\[0\].mountPath: '\/tmp\/data' collides with writable path '\/tmp'/],
    ['claim on a writable path', () => minimal({ writablePaths: ['/var/lib/db'], volumeClaims: [DATA] }),
      /volumeClaims\[0\].mountPath: '\/var\/lib\/db' collides with writable path '\/var\/lib\/db'/],
    ['relative claim path', () => minimal({ volumeClaims: [{ ...DATA, mountPath: 'data' }] }), /volumeClaims\[0\].mountPath: "data" is not an absolute path/],
    ['fractional storage', () => minimal({ volumeClaims: [{ ...DATA, storage: Size.kibibytes(1500) }] }),
      /\[test\/db\] volumeClaims\[0\].storage: 1500Ki is not a whole, positive number of MiB/],
    ['untagged image', () => minimal({ containers: [{ image: 'registry.example.com/db' }] }), /\[test\/db\] containers\[0\]: image 'registry.example.com\/db' has no tag or digest/],
    ['restartPolicy OnFailure', () => minimal({ restartPolicy: kplus.RestartPolicy.ON_FAILURE }),
      /\[test\/db\] restartPolicy: 'OnFailure' is not allowed for a StatefulSet; leave it unset \(Always\)/],
  ];
  test.each(cases)('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});
