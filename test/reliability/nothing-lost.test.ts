/**
 * Nothing lost: whatever a user sets explicitly appears in the output, unless a documented rule replaces it
 * (docs/defaults.md, "What is rewritten"), and then the replacement is exactly the documented one.
 */
import { ApiObject, Chart, Cron, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Controls, HardenedCronJob, HardenedDaemonSet, HardenedDeployment, HardenedJob, HardenedStatefulSet, IsolatedNamespace,
  LeastPrivilegeServiceAccount, NamespaceAccess, Permission, RbacResource,
} from '../../src';
import { expectSchemaValid } from '../helpers/schema';
import { only, podSpec } from '../helpers/synth';

const IMG = 'registry.example.com/shop/web:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

function synth(scope: Chart): any[] {
  const manifests = Testing.synth(scope);
  expectSchemaValid(manifests);
  return manifests;
}

describe('a HardenedDeployment with everything set explicitly', () => {
  const scope = chart();
  const config = kplus.ConfigMap.fromConfigMapName(scope, 'Config', 'web-config');
  const configVolume = kplus.Volume.fromConfigMap(scope, 'ConfigVolume', config, { name: 'config' });
  const web = new HardenedDeployment(scope, 'web', {
    metadata: { labels: { 'team': 'shop', 'app.kubernetes.io/version': '1.4.2' }, annotations: { 'example.com/owner': 'shop-team' } },
    podMetadata: { labels: { tier: 'web' }, annotations: { 'prometheus.io/scrape': 'true' } },
    replicas: 3,
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    minReady: Duration.seconds(5),
    progressDeadline: Duration.minutes(5),
    terminationGracePeriod: Duration.seconds(45),
    dns: { policy: kplus.DnsPolicy.CLUSTER_FIRST, searches: ['shop.svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] },
    runAsUser: 10001,
    runAsGroup: 10002,
    securityContext: {
      fsGroup: 10005,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
    },
    volumes: [configVolume],
    writablePaths: ['/var/cache/web'],
    partOf: 'shop',
    containers: [{
      name: 'app',
      image: IMG,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }],
      command: ['/app/server'],
      args: ['--listen', ':8080'],
      workingDir: '/app',
      envVariables: {
        LOG_LEVEL: kplus.EnvValue.fromValue('info'),
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        FEATURES: kplus.EnvValue.fromConfigMap(config, 'features'),
      },
      envFrom: [kplus.Env.fromConfigMap(config, 'CFG_')],
      volumeMounts: [{ path: '/etc/web', volume: configVolume, readOnly: true }],
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, periodSeconds: Duration.seconds(7), failureThreshold: 4 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: 8080, initialDelaySeconds: Duration.seconds(15) }),
      startup: kplus.Probe.fromTcpSocket({ port: 8080, failureThreshold: 30 }),
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '5']) },
      resources: {
        cpu: { request: kplus.Cpu.millis(200), limit: kplus.Cpu.millis(800) },
        memory: { request: Size.mebibytes(300), limit: Size.mebibytes(600) },
        ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
      },
      securityContext: {
        user: 10003,
        group: 10004,
        capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: [kplus.Capability.NET_RAW, kplus.Capability.SYS_ADMIN] },
      },
    }],
  });
  web.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.is('dedicated', 'shop', { effect: kplus.TaintEffect.NO_SCHEDULE })));
  web.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is('pool', 'web')));
  const manifests = synth(scope);
  const deployment = only(manifests, 'Deployment');
  const pod = podSpec(deployment);
  const app = pod.containers[0];

  test('labels and annotations of the Deployment, next to the recommended labels', () => {
    expect(deployment.metadata.labels).toMatchObject({ 'team': 'shop', 'app.kubernetes.io/version': '1.4.2', 'app.kubernetes.io/part-of': 'shop' });
    expect(deployment.metadata.annotations).toEqual({ 'example.com/owner': 'shop-team' });
  });

  test('pod labels and annotations', () => {
    expect(deployment.spec.template.metadata.labels).toMatchObject({ tier: 'web' });
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
  });

  test('replicas, strategy, minReadySeconds, progressDeadlineSeconds', () => {
    expect(deployment.spec).toMatchObject({
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      minReadySeconds: 5,
      progressDeadlineSeconds: 300,
    });
  });

  test('pod fields: grace period, DNS, security context (fsGroup, change policy, sysctls), ids', () => {
    expect(pod.terminationGracePeriodSeconds).toBe(45);
    expect(pod.dnsPolicy).toBe('ClusterFirst');
    expect(pod.dnsConfig).toEqual({ searches: ['shop.svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] });
    expect(pod.securityContext).toMatchObject({
      runAsUser: 10001,
      runAsGroup: 10002,
      fsGroup: 10005,
      fsGroupChangePolicy: 'OnRootMismatch',
      sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
    });
  });

  test('tolerations and node affinity', () => {
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['web'] }] }]);
  });

  test('volumes: the user\'s next to /tmp and the writable path', () => {
    expect(pod.volumes).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'config', configMap: expect.objectContaining({ name: 'web-config' }) }),
      { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'var-cache-web', emptyDir: { sizeLimit: '256Mi' } },
    ]));
    expect(app.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/web', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'var-cache-web', mountPath: '/var/cache/web' },
    ]);
  });

  test('container: name, image, pull policy, ports, command, args, working directory, lifecycle', () => {
    expect(app).toMatchObject({
      name: 'app',
      image: IMG,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, name: 'metrics' }],
      command: ['/app/server'],
      args: ['--listen', ':8080'],
      workingDir: '/app',
      lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
    });
  });

  test('env and envFrom', () => {
    expect(app.env).toEqual(expect.arrayContaining([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'FEATURES', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'features' } } },
    ]));
    expect(app.env).toHaveLength(3);
    expect(app.envFrom).toEqual([{ configMapRef: { name: 'web-config' }, prefix: 'CFG_' }]);
  });

  test('probes exactly as given', () => {
    expect(app.readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 8080 }, periodSeconds: 7, failureThreshold: 4 });
    expect(app.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 15 });
    expect(app.startupProbe).toMatchObject({ tcpSocket: { port: 8080 }, failureThreshold: 30 });
  });

  test('resources exactly as given, ephemeral-storage included (not replaced by the preset)', () => {
    expect(app.resources).toEqual({
      requests: { 'cpu': '200m', 'memory': '300Mi', 'ephemeral-storage': '1Gi' },
      limits: { 'cpu': '800m', 'memory': '600Mi', 'ephemeral-storage': '2Gi' },
    });
  });

  test('container ids as given; capabilities: only the documented rewrite (CAP_ prefix removed, ALL dropped first)', () => {
    expect(app.securityContext).toMatchObject({ runAsUser: 10003, runAsGroup: 10004 });
    // cdk8s-plus-27 renders CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_SYS_ADMIN.
    expect(app.securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL', 'NET_RAW', 'SYS_ADMIN'] });
  });

  test('seccompProfile is added only where absent, as documented', () => {
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(app.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });
});

describe('documented rewrites replace exactly what they say, and nothing else', () => {
  test('a seccomp profile set through an escape hatch is kept, not replaced by RuntimeDefault', () => {
    const scope = chart();
    const web = new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080 }] });
    const localhost = { type: 'Localhost', localhostProfile: 'profiles/web.json' };
    ApiObject.of(web).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', localhost),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', localhost),
    );
    const pod = podSpec(only(synth(scope), 'Deployment'));
    expect(pod.securityContext.seccompProfile).toEqual(localhost);
    expect(pod.containers[0].securityContext.seccompProfile).toEqual(localhost);
  });

  test('capability names without the CAP_ prefix pass through; drops are deduplicated after ALL', () => {
    const scope = chart();
    new HardenedDeployment(scope, 'web', {
      containers: [{
        image: IMG,
        portNumber: 8080,
        securityContext: { capabilities: { add: ['NET_BIND_SERVICE' as kplus.Capability], drop: ['ALL' as kplus.Capability, kplus.Capability.NET_RAW, 'CAP_NET_RAW' as kplus.Capability] } },
      }],
    });
    const [container] = podSpec(only(synth(scope), 'Deployment')).containers;
    expect(container.securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL', 'NET_RAW'] });
  });

  test('ephemeral-storage: only the side a container leaves unset comes from the preset', () => {
    const scope = chart();
    new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080, resources: { ephemeralStorage: { limit: Size.gibibytes(3) } } }] });
    const [container] = podSpec(only(synth(scope), 'Deployment')).containers;
    expect(container.resources.limits['ephemeral-storage']).toBe('3Gi');
    expect(container.resources.requests['ephemeral-storage']).toBe('128Mi');
  });

  test('a weakened security field given explicitly (with its exemption) is kept', () => {
    const scope = chart();
    new HardenedDeployment(scope, 'web', {
      containers: [{ image: IMG, portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } }],
      exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: 'vendor image rewrites its config at start; tracked in SEC-42' }],
    });
    const [container] = podSpec(only(synth(scope), 'Deployment')).containers;
    expect(container.securityContext.readOnlyRootFilesystem).toBe(false);
  });

  test('a volume mounted by the user at a writable path keeps the user\'s volume', () => {
    const scope = chart();
    const data = kplus.Volume.fromEmptyDir(scope, 'Cache', 'cache', { sizeLimit: Size.gibibytes(1) });
    new HardenedDeployment(scope, 'web', { writablePaths: ['/var/cache/web'], containers: [{ image: IMG, portNumber: 8080, volumeMounts: [{ path: '/var/cache/web', volume: data }] }] });
    const pod = podSpec(only(synth(scope), 'Deployment'));
    expect(pod.containers[0].volumeMounts.filter((m: any) => m.mountPath === '/var/cache/web')).toEqual([{ name: 'cache', mountPath: '/var/cache/web' }]);
    expect(pod.volumes).toContainEqual({ name: 'cache', emptyDir: { sizeLimit: '1024Mi' } });
  });

  test('a recommended label the user sets explicitly keeps the user\'s value', () => {
    const scope = chart();
    new HardenedDeployment(scope, 'web', {
      metadata: { labels: { 'app.kubernetes.io/name': 'storefront' } },
      containers: [{ image: IMG, portNumber: 8080 }],
    });
    expect(only(synth(scope), 'Deployment').metadata.labels['app.kubernetes.io/name']).toBe('storefront');
  });
});

describe('the other workload kinds keep what is set explicitly', () => {
  test('HardenedStatefulSet: pod management, claim class and access modes, labels', () => {
    const scope = chart();
    new HardenedStatefulSet(scope, 'db', {
      metadata: { labels: { team: 'data' }, annotations: { 'example.com/backup': 'nightly' } },
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      containers: [{ image: IMG, ports: [{ number: 5432, name: 'postgres' }] }],
      volumeClaims: [{ name: 'data', mountPath: '/var/lib/pg', storage: Size.gibibytes(20), storageClassName: 'fast-ssd', accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] }],
      securityContext: { fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS },
    });
    const manifests = synth(scope);
    const set = only(manifests, 'StatefulSet');
    expect(set.metadata.labels).toMatchObject({ team: 'data' });
    expect(set.metadata.annotations).toEqual({ 'example.com/backup': 'nightly' });
    expect(set.spec.podManagementPolicy).toBe('Parallel');
    expect(set.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOncePod'], storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } });
    expect(podSpec(set).securityContext.fsGroupChangePolicy).toBe('Always');
    expect(only(manifests, 'Service').spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 5432 }]);
  });

  test('HardenedDaemonSet: maxUnavailable, minReadySeconds, pod labels', () => {
    const scope = chart();
    new HardenedDaemonSet(scope, 'agent', {
      podMetadata: { labels: { role: 'agent' } },
      minReadySeconds: 12,
      maxUnavailable: kplus.PercentOrAbsolute.percent(20),
      containers: [{ image: IMG, portNumber: 2020 }],
    });
    const set = only(synth(scope), 'DaemonSet');
    expect(set.spec.minReadySeconds).toBe(12);
    expect(set.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '20%' } });
    expect(set.spec.template.metadata.labels).toMatchObject({ role: 'agent' });
  });

  test('HardenedJob: restart policy, backoff, deadline, TTL', () => {
    const scope = chart();
    new HardenedJob(scope, 'migrate', {
      restartPolicy: kplus.RestartPolicy.ON_FAILURE,
      backoffLimit: 0,
      activeDeadline: Duration.minutes(30),
      ttlAfterFinished: Duration.seconds(0),
      containers: [{ image: IMG, args: ['migrate', '--to', 'latest-schema'] }],
    });
    const job = only(synth(scope), 'Job');
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 0 });
    expect(podSpec(job).restartPolicy).toBe('OnFailure');
    expect(podSpec(job).containers[0].args).toEqual(['migrate', '--to', 'latest-schema']);
  });

  test('HardenedCronJob: schedule, time zone, suspend, concurrency, deadline, history', () => {
    const scope = chart();
    new HardenedCronJob(scope, 'backup', {
      schedule: Cron.schedule({ minute: '15', hour: '3', weekDay: 'MON-FRI' }),
      timeZone: 'Europe/Paris',
      suspend: true,
      concurrencyPolicy: kplus.ConcurrencyPolicy.REPLACE,
      startingDeadline: Duration.minutes(2),
      successfulJobsRetained: 5,
      failedJobsRetained: 2,
      containers: [{ image: IMG }],
    });
    const cron = only(synth(scope), 'CronJob');
    expect(cron.spec).toMatchObject({
      schedule: '15 3 * * MON-FRI',
      timeZone: 'Europe/Paris',
      suspend: true,
      concurrencyPolicy: 'Replace',
      startingDeadlineSeconds: 120,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 2,
    });
  });
});

describe('namespaces and identities keep what is set explicitly', () => {
  test('IsolatedNamespace: ingress pod labels and ports, egress networks, excepts and ports', () => {
    const ns = new IsolatedNamespace(new Construct(Testing.app(), 'test'), 'shop', {
      allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [kplus.NetworkPolicyPort.tcp(8080), kplus.NetworkPolicyPort.udp(5353)] }],
      allowEgressTo: [{ name: 'payments', cidr: '203.0.113.0/24', exceptCidrs: ['203.0.113.128/25'], ports: [kplus.NetworkPolicyPort.tcpRange(8443, 8444)] }],
      allowedLoadBalancers: 1,
      allowedNodePorts: 2,
    });
    const manifests = synth(ns);
    const ingress = manifests.find(m => m.metadata.name === 'allow-ingress-from-ingress-nginx');
    expect(ingress.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }, { port: 5353, protocol: 'UDP' }],
    }]);
    const egress = manifests.find(m => m.metadata.name === 'allow-egress-to-payments');
    expect(egress.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }], ports: [{ port: 8443, endPort: 8444, protocol: 'TCP' }] }]);
    expect(only(manifests, 'ResourceQuota').spec.hard).toMatchObject({ 'services.loadbalancers': '1', 'services.nodeports': '2' });
  });

  test('LeastPrivilegeServiceAccount: name, labels and annotations on the account, labels on its Role and binding', () => {
    const scope = chart();
    new LeastPrivilegeServiceAccount(scope, 'reader', {
      metadata: { name: 'settings-reader', labels: { team: 'shop' }, annotations: { 'example.com/purpose': 'reads its settings' } },
      permissions: [Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('settings')],
      tokenAudience: 'vault',
    });
    const manifests = synth(scope);
    const account = only(manifests, 'ServiceAccount');
    expect(account.metadata).toMatchObject({ name: 'settings-reader', labels: { team: 'shop' }, annotations: { 'example.com/purpose': 'reads its settings' } });
    for (const kind of ['Role', 'RoleBinding']) expect(only(manifests, kind).metadata.labels).toMatchObject({ team: 'shop' });
    expect(only(manifests, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get', 'list', 'watch'] }]);
  });

  test('NamespaceAccess: name, labels, annotations, every subject in the order given', () => {
    const scope = chart();
    NamespaceAccess.deployer(scope, 'pipeline', {
      metadata: { name: 'shop-deployer', labels: { team: 'shop' }, annotations: { 'example.com/ticket': 'OPS-7' } },
      users: ['alice@example.com'],
      groups: ['shop-developers', 'shop-oncall'],
    });
    const manifests = synth(scope);
    for (const kind of ['Role', 'RoleBinding']) {
      expect(only(manifests, kind).metadata).toMatchObject({ name: 'shop-deployer', labels: { team: 'shop' }, annotations: { 'example.com/ticket': 'OPS-7' } });
    }
    expect(only(manifests, 'RoleBinding').subjects.map((s: any) => `${s.kind}:${s.name}`)).toEqual(['User:alice@example.com', 'Group:shop-developers', 'Group:shop-oncall']);
  });
});
