import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, FindingStatus, Guard, HardenedDefaults, HardenedDeployment, ResourcePreset, Severity } from '../../src';
import { DIGEST_IMAGE, expiresIn, IMAGE, only, podSpec, REASON, synth, synthError } from '../helpers/synth';

const EXPIRES = expiresIn(180);

function minimal(props: Partial<ConstructorParameters<typeof HardenedDeployment>[2]> = {}) {
  const chart = Testing.chart();
  const deployment = new HardenedDeployment(chart, 'web', {
    metadata: { namespace: 'shop' },
    containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }],
    ...props,
  });
  return { chart, deployment };
}

describe('with only an image and a port', () => {
  const { chart } = minimal();
  const manifests = synth(chart);
  const deployment = only(manifests, 'Deployment');
  const pod = podSpec(deployment);
  const [container] = pod.containers;

  test('the guard has no finding at all, errors or warnings', () => {
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('pod security context: numeric non-root uid/gid, seccomp RuntimeDefault, no fsGroup (no volume needs one)', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('container security context repeats uid/gid and locks everything down', () => {
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
  });

  test('no service-account token, and a dedicated ServiceAccount without one either', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    const account = only(manifests, 'ServiceAccount');
    expect(account.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(account.metadata.namespace).toBe('shop');
  });

  test('requests and limits for cpu, memory and ephemeral-storage from the SMALL preset', () => {
    expect(container.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' },
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
    });
  });

  test('a sized /tmp emptyDir is mounted for the read-only root', () => {
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  });

  test('a digest-pinned image is pulled IfNotPresent; readiness and liveness probes come from the port and differ', () => {
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 8080 });
    // Same socket, addressed by name: kube-score's pod-probes-identical compares only handler and port.
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'tcp-8080' });
    expect(container.ports).toEqual([{ containerPort: 8080, name: 'tcp-8080' }]);
    expect(container.livenessProbe).not.toEqual(container.readinessProbe);
    expect(container.livenessProbe.periodSeconds).toBeGreaterThan(container.readinessProbe.periodSeconds);
  });

  test('the NetworkPolicy selects exactly the pods: no ingress, egress to cluster DNS only', () => {
    const policy = only(manifests, 'NetworkPolicy');
    expect(policy.metadata.namespace).toBe('shop');
    expect(policy.spec.podSelector).toEqual(deployment.spec.selector);
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) {
      expect(deployment.spec.template.metadata.labels[key]).toBe(value);
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
  });

  test('two replicas by default, with a PodDisruptionBudget and spreading across nodes', () => {
    expect(deployment.spec.replicas).toBe(2);
    const budget = only(manifests, 'PodDisruptionBudget');
    expect(budget.spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(pod.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: deployment.spec.selector,
    }]);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
  });

  test('recommended labels on the workload and its pods; instance is the object name', () => {
    for (const labels of [deployment.metadata.labels, deployment.spec.template.metadata.labels]) {
      expect(labels).toMatchObject({
        'app.kubernetes.io/name': 'test-web',
        'app.kubernetes.io/instance': deployment.metadata.name,
        'app.kubernetes.io/managed-by': 'cdk8s-hardened',
      });
    }
  });

  test('a tag-pinned image only draws the image-digest warning', () => {
    const tagged = minimal({ containers: [{ image: IMAGE, portNumber: 8080 }] });
    synth(tagged.chart);
    expect(Guard.findings(tagged.chart).map(f => [f.controlId, f.severity, f.status])).toEqual([['image-digest', Severity.WARNING, FindingStatus.FAIL]]);
  });
});

describe('documented defaults and their options', () => {
  test('an image pinned by digest is pulled IfNotPresent, a tag Always; an explicit policy wins', () => {
    const chart = Testing.chart();
    new HardenedDeployment(chart, 'web', {
      metadata: { namespace: 'shop' },
      containers: [
        { name: 'digest', image: DIGEST_IMAGE, portNumber: 8080 },
        { name: 'tag-and-digest', image: DIGEST_IMAGE.replace('@', ':1.4.2@'), portNumber: 8081 },
        { name: 'tag', image: IMAGE, portNumber: 8082 },
        { name: 'explicit', image: DIGEST_IMAGE, portNumber: 8083, imagePullPolicy: kplus.ImagePullPolicy.ALWAYS },
      ],
      initContainers: [{ name: 'init', image: DIGEST_IMAGE }],
    });
    const pod = podSpec(only(synth(chart), 'Deployment'));
    expect([...pod.initContainers, ...pod.containers].map((c: any) => [c.name, c.imagePullPolicy])).toEqual([
      ['init', 'IfNotPresent'], ['digest', 'IfNotPresent'], ['tag-and-digest', 'IfNotPresent'], ['tag', 'Always'], ['explicit', 'Always'],
    ]);
  });

  test('the Service exposeViaService() makes carries the workload\'s recommended labels', () => {
    const chart = Testing.chart();
    const web = new HardenedDeployment(chart, 'web', {
      metadata: { namespace: 'shop' }, partOf: 'shop', containers: [{ image: IMAGE, portNumber: 8080 }],
    });
    web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    const manifests = synth(chart);
    const recommended = Object.fromEntries(Object.entries(only(manifests, 'Deployment').metadata.labels)
      .filter(([key]) => key.startsWith('app.kubernetes.io/')));
    expect(Object.keys(recommended).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/name', 'app.kubernetes.io/part-of']);
    expect(only(manifests, 'Service').metadata.labels).toMatchObject(recommended);
  });

  test('a derived liveness probe uses the port\'s own name; an explicit liveness probe is kept as given', () => {
    const { chart } = minimal({ containers: [{ image: DIGEST_IMAGE, ports: [{ number: 8080, name: 'http' }] }] });
    const [named] = podSpec(only(synth(chart), 'Deployment')).containers;
    expect(named.ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    expect(named.readinessProbe.tcpSocket).toEqual({ port: 8080 });
    expect(named.livenessProbe.tcpSocket).toEqual({ port: 'http' });

    const explicit = minimal({
      containers: [{ image: DIGEST_IMAGE, portNumber: 8080, liveness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }) }],
    });
    const [given] = podSpec(only(synth(explicit.chart), 'Deployment')).containers;
    expect(given.ports).toEqual([{ containerPort: 8080 }]);
    expect(given.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
  });

  test('a generated port name never takes a name the user gave another port', () => {
    const { chart } = minimal({
      containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }, { name: 'sidecar', image: DIGEST_IMAGE, ports: [{ number: 9090, name: 'tcp-8080' }] }],
    });
    const [main] = podSpec(only(synth(chart), 'Deployment')).containers;
    expect(main.ports).toEqual([{ containerPort: 8080 }]);
    expect(main.livenessProbe.tcpSocket).toEqual({ port: 8080 });
  });

  test('one replica: no PodDisruptionBudget and no spreading', () => {
    const { chart } = minimal({ replicas: 1 });
    const manifests = synth(chart);
    expect(manifests.filter(m => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(podSpec(only(manifests, 'Deployment')).topologySpreadConstraints).toBeUndefined();
  });

  test('runAsUser and runAsGroup set the image\'s own ids at both levels', () => {
    const { chart } = minimal({ runAsUser: 10001, runAsGroup: 10002 });
    const pod = podSpec(only(synth(chart), 'Deployment'));
    expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10002 });
    expect(pod.securityContext.fsGroup).toBeUndefined();
    expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10002 });
  });

  test('a resource preset applies, a scope-wide preset too, and container values win field by field', () => {
    const { chart } = minimal({ resourcePreset: ResourcePreset.MEDIUM });
    expect(podSpec(only(synth(chart), 'Deployment')).containers[0].resources.limits).toEqual({ 'cpu': '1000m', 'memory': '1024Mi', 'ephemeral-storage': '1024Mi' });

    const scoped = Testing.chart();
    HardenedDefaults.set(scoped, { resourcePreset: ResourcePreset.LARGE });
    new HardenedDeployment(scoped, 'web', {
      metadata: { namespace: 'shop' },
      containers: [{ image: DIGEST_IMAGE, portNumber: 8080, resources: { cpu: { request: kplus.Cpu.millis(1500), limit: kplus.Cpu.millis(3000) } } }],
    });
    expect(podSpec(only(synth(scoped), 'Deployment')).containers[0].resources).toEqual({
      requests: { 'cpu': '1500m', 'memory': '2048Mi', 'ephemeral-storage': '512Mi' },
      limits: { 'cpu': '3000m', 'memory': '4096Mi', 'ephemeral-storage': '2048Mi' },
    });
  });

  test('writable paths become sized emptyDirs mounted in every container', () => {
    const { chart, deployment } = minimal({ writablePaths: ['/var/cache/nginx', '/run'] });
    deployment.addInitContainer({ image: IMAGE, name: 'migrate' });
    const pod = podSpec(only(synth(chart), 'Deployment'));
    for (const c of [...pod.containers, ...pod.initContainers]) {
      expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/nginx', '/run']);
    }
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'var-cache-nginx', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'run', emptyDir: { sizeLimit: '256Mi' } },
    ]);
  });

  test('containers and init containers added later get the same hardening; init containers get no probes', () => {
    const { chart, deployment } = minimal();
    deployment.addContainer({ name: 'sidecar', image: IMAGE, portNumber: 9090 });
    deployment.addInitContainer({ name: 'migrate', image: IMAGE });
    const manifests = synth(chart);
    const pod = podSpec(only(manifests, 'Deployment'));
    const [, sidecar] = pod.containers;
    const [init] = pod.initContainers;
    for (const c of [sidecar, init]) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 65532 });
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    }
    expect(sidecar.readinessProbe.tcpSocket.port).toBe(9090);
    expect(init.readinessProbe).toBeUndefined();
    expect(init.livenessProbe).toBeUndefined();
    expect(Guard.findings(chart).filter(f => f.severity === Severity.ERROR)).toEqual([]);
  });

  test('capability names lose the CAP_ prefix cdk8s-plus gives them; ALL is still dropped', () => {
    const { chart } = minimal({
      containers: [{
        image: DIGEST_IMAGE,
        portNumber: 8080,
        securityContext: { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: [kplus.Capability.NET_RAW] } },
      }],
    });
    const [container] = podSpec(only(synth(chart), 'Deployment')).containers;
    expect(container.securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL', 'NET_RAW'] });
    expect(Guard.findings(chart)).toEqual([]);
  });
});

describe('weakening a default needs an exemption', () => {
  const writable = { image: DIGEST_IMAGE, portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } };

  test('through props: synthesis fails with path, control, object, pointer and fix', () => {
    const { chart, deployment } = minimal({ containers: [writable] });
    const message = synthError(chart);
    expect(message).toContain(`[test/web/Resource] read-only-root-filesystem: Deployment shop/${deployment.name} `
      + '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem: containers[0] \'main\' has readOnlyRootFilesystem false, not true; '
      + 'Set securityContext.readOnlyRootFilesystem: true');
  });

  test('through props with an exemption: synthesizes, annotates the object and lists the exemption', () => {
    const { chart } = minimal({
      containers: [writable],
      exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, ticket: 'SEC-42', expires: EXPIRES }],
    });
    const deployment = only(synth(chart), 'Deployment');
    expect(podSpec(deployment).containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(JSON.parse(deployment.metadata.annotations['exemptions.cdk8s-hardened.io/read-only-root-filesystem']))
      .toEqual({ reason: REASON, ticket: 'SEC-42', expires: EXPIRES });
    const [finding] = Guard.findings(chart);
    expect(finding).toMatchObject({ controlId: 'read-only-root-filesystem', status: FindingStatus.EXEMPT });
    expect(finding.exemption?.reason).toBe(REASON);
    expect(Guard.unusedExemptions(chart)).toEqual([]);
  });

  test('through a JSON-patch escape hatch: fails without an exemption, passes with one', () => {
    const patch = JsonPatch.replace('/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', false);
    const bare = minimal();
    ApiObject.of(bare.deployment).addJsonPatch(patch);
    expect(synthError(bare.chart)).toContain('read-only-root-filesystem: Deployment shop/');

    const exempted = minimal({ exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON }] });
    ApiObject.of(exempted.deployment).addJsonPatch(patch);
    const deployment = only(synth(exempted.chart), 'Deployment');
    expect(podSpec(deployment).containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(deployment.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/read-only-root-filesystem']);
  });

  test('an escape hatch that removes seccomp or adds a capability is caught too', () => {
    const { chart, deployment } = minimal();
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.remove('/spec/template/spec/securityContext/seccompProfile'),
      JsonPatch.remove('/spec/template/spec/containers/0/securityContext/seccompProfile'),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities/add', ['SYS_ADMIN']),
    );
    const message = synthError(chart);
    expect(message).toContain('seccomp-required:');
    expect(message).toContain('capabilities-baseline:');
    expect(message).toContain('capabilities-drop-all:');
  });

  test('an exemption only covers its own control', () => {
    const { chart } = minimal({
      containers: [{ ...writable, securityContext: { readOnlyRootFilesystem: false, allowPrivilegeEscalation: true } }],
      exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON }],
    });
    const message = synthError(chart);
    expect(message).toContain('allow-privilege-escalation:');
    expect(message).not.toContain('read-only-root-filesystem:');
  });

  test('an expired exemption fails synthesis', () => {
    const { chart } = minimal({
      containers: [writable],
      exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, expires: '2001-01-31' }],
    });
    expect(synthError(chart)).toContain('read-only-root-filesystem: exemption attached at [test/web] expired on 2001-01-31');
  });

  test('an exemption that covers nothing is reported as unused', () => {
    const { chart } = minimal({ exemptions: [{ control: Controls.HOST_PORTS, reason: REASON }] });
    synth(chart);
    expect(Guard.unusedExemptions(chart).map(e => e.control.id)).toEqual(['host-ports']);
  });

  test('weak exemptions are refused at construction, naming the scope and the field', () => {
    const cases: Array<[any, RegExp]> = [
      [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: 'needed' }, /\[test\/web\] exemptions\[0\] \(read-only-root-filesystem\): reason "needed" is 6 characters long/],
      [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: 'TODO TODO TODO TODO TODO' }, /is a placeholder/],
      [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: 'Containers run with a read-only root filesystem' }, /only repeats the control's title/],
      [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, expires: '31/12/2030' }, /expires "31\/12\/2030" is not a date; use YYYY-MM-DD/],
      [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, expires: '2030-02-30' }, /expires "2030-02-30" is not a date/],
      [{ control: 'read-only-root-filesystem', reason: REASON }, /control is the string "read-only-root-filesystem" \(not a Control\)/],
    ];
    for (const [exemption, error] of cases) {
      expect(() => minimal({ exemptions: [exemption] })).toThrow(error);
    }
  });
});

describe('bad input fails at construction with the path, the field and the fix', () => {
  const cases: Array<[string, () => void, RegExp]> = [
    ['untagged image', () => minimal({ containers: [{ image: 'registry.example.com/web' }] }),
      /\[test\/web\] containers\[0\]: image 'registry.example.com\/web' has no tag or digest.*pin a version tag/],
    ['latest tag', () => minimal({ containers: [{ image: 'nginx:latest' }] }), /image 'nginx:latest' uses the tag 'latest'/],
    ['isolate: false (not silently ignored)', () => minimal({ isolate: false }),
      /^\[test\/web\] isolate: false cannot turn isolation off; a hardened workload is always isolated by its own NetworkPolicy/],
    ['registry port is not a tag', () => minimal({ containers: [{ image: 'registry:5000/web' }] }), /has no tag or digest/],
    ['malformed image', () => minimal({ containers: [{ image: 'Web App:1' }] }), /image 'Web App:1' is not a valid image reference/],
    ['port out of range', () => minimal({ containers: [{ image: IMAGE, portNumber: 70000 }] }), /port 70000 is not a port number; use an integer from 1 to 65535/],
    ['relative writable path', () => minimal({ writablePaths: ['var/cache'] }), /\[test\/web\] writablePaths\[0\]: "var\/cache" is not an absolute path/],
    ['writable path inside /tmp', () => minimal({ writablePaths: ['/tmp/cache'] }), /writablePaths\[0\]: '\/tmp\/cache' collides with writable path '\/tmp' \(always mounted\)/],
    ['duplicate writable path', () => minimal({ writablePaths: ['/run', '/run'] }), /writablePaths\[1\]: '\/run' collides/],
    ['non-numeric uid', () => minimal({ runAsUser: 1.5 }), /\[test\/web\] runAsUser: 1.5 is not a numeric id/],
    ['conflicting uid', () => minimal({ runAsUser: 10001, securityContext: { user: 10002 } }), /runAsUser: 10001 conflicts with securityContext.user 10002/],
    ['request above limit', () => minimal({ containers: [{ image: IMAGE, resources: { cpu: { limit: kplus.Cpu.millis(50) } } }] }),
      /containers\[0\]: resources.cpu request 100m exceeds limit 50m \(values not set on the container come from preset 'small'\)/],
  ];
  test.each(cases)('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });

  test('a digest is always accepted, with or without a tag', () => {
    expect(() => minimal({ containers: [{ image: DIGEST_IMAGE }] })).not.toThrow();
    expect(() => minimal({ containers: [{ image: 'nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' }] })).not.toThrow();
  });
});
