import { Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Controls, Guard, Severity, HardenedCronJob, HardenedDaemonSet, HardenedDeployment, HardenedJob, HardenedProbe, HardenedStatefulSet,
} from '../../src';
import { DIGEST_IMAGE, podSpec, synth } from '../helpers/synth';

type Kind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';
const KINDS: Kind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** A hardened workload of `kind` with `containers`, in namespace shop. */
function workload(scope: Construct, kind: Kind, containers: kplus.ContainerProps[]): kplus.Workload {
  const common = { metadata: { namespace: 'shop' }, containers };
  switch (kind) {
    case 'Deployment': return new HardenedDeployment(scope, 'w', common);
    case 'StatefulSet': return new HardenedStatefulSet(scope, 'w', common);
    case 'DaemonSet': return new HardenedDaemonSet(scope, 'w', common);
    case 'Job': return new HardenedJob(scope, 'w', common);
    case 'CronJob': return new HardenedCronJob(scope, 'w', { ...common, schedule: Cron.daily() });
  }
}

function containersOf(chart: Construct, kind: Kind): any[] {
  const manifest = synth(chart).find(m => m.kind === kind);
  return podSpec(manifest).containers;
}

const GRPC = { grpc: { port: 9090, service: 'shop.Cart' }, periodSeconds: 5, failureThreshold: 3 };
const HTTP = {
  httpGet: { path: '/healthz', port: 8081, scheme: 'HTTPS', httpHeaders: [{ name: 'Host', value: 'cart.internal' }, { name: 'X-Probe', value: 'liveness' }] },
  initialDelaySeconds: 10,
  periodSeconds: 20,
  timeoutSeconds: 2,
  failureThreshold: 6,
};

function probes(): Pick<kplus.ContainerProps, 'readiness' | 'liveness' | 'startup'> {
  return {
    readiness: HardenedProbe.grpc(9090, { service: 'shop.Cart', period: Duration.seconds(5) }),
    liveness: HardenedProbe.httpGet('/healthz', {
      port: 8081,
      scheme: kplus.ConnectionScheme.HTTPS,
      headers: [{ name: 'Host', value: 'cart.internal' }, { name: 'X-Probe', value: 'liveness' }],
      initialDelay: Duration.seconds(10),
      period: Duration.seconds(20),
      timeout: Duration.seconds(2),
      failureThreshold: 6,
    }),
    startup: HardenedProbe.none(),
  };
}

describe.each(KINDS)('in a %s', kind => {
  test('gRPC readiness, HTTP liveness with headers and no startup probe render exactly the Kubernetes fields', () => {
    const chart = Testing.chart();
    workload(chart, kind, [{ name: 'cart', image: DIGEST_IMAGE, portNumber: 9090, ...probes() }]);
    const [c] = containersOf(chart, kind);
    expect(c.readinessProbe).toEqual(GRPC);
    expect(c.livenessProbe).toEqual(HTTP);
    expect(c).not.toHaveProperty('startupProbe');
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('a container added after construction gets them too, next to the derived startup probe it keeps', () => {
    const chart = Testing.chart();
    const w = workload(chart, kind, [{ name: 'cart', image: DIGEST_IMAGE, portNumber: 9090, ...probes() }]);
    w.addContainer({ name: 'sidecar', image: DIGEST_IMAGE, portNumber: 7070, readiness: HardenedProbe.grpc(7070), liveness: HardenedProbe.grpc(7070, { period: Duration.seconds(30) }) });
    const [, sidecar] = containersOf(chart, kind);
    expect(sidecar.readinessProbe).toEqual({ grpc: { port: 7070 }, failureThreshold: 3 });
    expect(sidecar.livenessProbe).toEqual({ grpc: { port: 7070 }, periodSeconds: 30, failureThreshold: 3 });
    // Not switched off here: cdk8s-plus-27's own TCP startup probe on the port.
    expect(sidecar.startupProbe).toEqual({ tcpSocket: { port: 7070 }, failureThreshold: 3 });
  });
});

describe('derived probes and the probes control', () => {
  test('without a startup override a port still gets cdk8s-plus-27\'s startup probe; HardenedProbe.none() removes only that one', () => {
    const chart = Testing.chart();
    new HardenedDeployment(chart, 'a', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    new HardenedDeployment(chart, 'b', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080, startup: HardenedProbe.none() }] });
    const [a, b] = synth(chart).filter(m => m.kind === 'Deployment').map(m => podSpec(m).containers[0]);
    expect(a.startupProbe).toEqual({ tcpSocket: { port: 8080 }, failureThreshold: 3 });
    expect(b.startupProbe).toBeUndefined();
    // The derived readiness and liveness probes stay.
    expect(b.readinessProbe).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 10, failureThreshold: 3 });
    expect(b.livenessProbe.tcpSocket.port).toBe('tcp-8080');
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('gRPC readiness and liveness that differ pass the probes control; no liveness at all fails it', () => {
    const chart = Testing.chart();
    new HardenedDeployment(chart, 'ok', {
      metadata: { namespace: 'shop' },
      containers: [{
        image: DIGEST_IMAGE,
        portNumber: 9090,
        readiness: HardenedProbe.grpc(9090),
        liveness: HardenedProbe.grpc(9090, { period: Duration.seconds(30) }),
      }],
    });
    expect(Guard.findings(chart)).toEqual([]);
    const manifest = synth(chart).find(m => m.kind === 'Deployment');
    expect(Controls.PROBES.check(manifest, {} as any)).toEqual([]);
    const bad = JSON.parse(JSON.stringify(manifest));
    delete bad.spec.template.spec.containers[0].livenessProbe;
    expect(Controls.PROBES.check(bad, {} as any).map(v => v.pointer)).toEqual(['/spec/template/spec/containers/0/livenessProbe']);
  });

  test('HardenedProbe.none() as liveness draws the probes warning (no derived liveness probe replaces it)', () => {
    const chart = Testing.chart();
    new HardenedDeployment(chart, 'w', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080, liveness: HardenedProbe.none() }] });
    expect(podSpec(synth(chart).find(m => m.kind === 'Deployment')).containers[0].livenessProbe).toBeUndefined();
    expect(Guard.findings(chart).map(f => [f.controlId, f.severity, f.pointer])).toEqual([
      ['probes', Severity.WARNING, '/spec/template/spec/containers/0/livenessProbe'],
    ]);
  });

  test('an HTTP probe without a port uses the container port', () => {
    const chart = Testing.chart();
    new HardenedDeployment(chart, 'w', {
      metadata: { namespace: 'shop' },
      containers: [{ image: DIGEST_IMAGE, portNumber: 8080, readiness: HardenedProbe.httpGet('/ready'), liveness: HardenedProbe.httpGet('/live') }],
    });
    const [c] = podSpec(synth(chart).find(m => m.kind === 'Deployment')).containers;
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 8080 }, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/live', port: 8080 }, failureThreshold: 3 });
  });
});

describe('bad input is refused with the field, the value and the fix', () => {
  test.each([
    [() => HardenedProbe.grpc(0), /HardenedProbe.grpc\(0\): port 0 is not a port number; use an integer from 1 to 65535/],
    [() => HardenedProbe.grpc(65536), /port 65536 is not a port number/],
    [() => HardenedProbe.grpc(80.5), /port 80.5 is not a port number/],
    [() => HardenedProbe.grpc('grpc' as any), /port "grpc" is not a port number/],
    [() => HardenedProbe.grpc(9090, { service: '' }), /service "" is not a service name/],
    [() => HardenedProbe.httpGet('healthz'), /path "healthz" is not an absolute request path; use e.g. '\/healthz'/],
    [() => HardenedProbe.httpGet('/h', { port: 70000 }), /port 70000 is not a port number/],
    [() => HardenedProbe.httpGet('/h', { headers: [{ name: 'X Probe', value: 'a' }] }), /headers\[0\].name "X Probe" is not an HTTP header name \(an RFC 7230 token/],
    [() => HardenedProbe.httpGet('/h', { headers: [{ name: 'Host:', value: 'a' }] }), /headers\[0\].name "Host:" is not an HTTP header name/],
    [() => HardenedProbe.httpGet('/h', { headers: [{ name: '', value: 'a' }] }), /headers\[0\].name "" is not an HTTP header name/],
    [() => HardenedProbe.httpGet('/h', { headers: [{ name: 'X-A', value: 'a\r\nX-B: b' }] }), /headers\[0\].value .* is not a header value; give a string without line breaks/],
    [() => HardenedProbe.httpGet('/h', { headers: [{ name: 'X-A', value: 'a' }, { name: 'x-a', value: 'b' }] }), /headers\[1\].name 'x-a' repeats headers\[0\].name 'X-A' \(header names are case-insensitive\)/],
    [() => HardenedProbe.httpGet('/h', { headers: 'X-A: a' as any }), /headers "X-A: a" is not a list/],
    [() => HardenedProbe.httpGet('/h', { scheme: 'FTP' as any }), /scheme "FTP" is not HTTP or HTTPS/],
    [() => HardenedProbe.grpc(9090, { period: Duration.millis(500) }), /period 0.5 seconds is not a whole number of seconds from 1/],
    [() => HardenedProbe.grpc(9090, { timeout: Duration.seconds(0) }), /timeout 0 seconds is not a whole number of seconds from 1/],
    [() => HardenedProbe.grpc(9090, { failureThreshold: 0 }), /failureThreshold 0 is not a count; use an integer from 1/],
    [() => HardenedProbe.grpc(9090, { period: 10 as any }), /period 10 is not a whole number of seconds/],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });

  function deploy(container: Partial<kplus.ContainerProps>) {
    const chart = Testing.chart();
    new HardenedDeployment(chart, 'w', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 9090, ...container }] });
    return chart;
  }

  test('liveness and startup probes need successThreshold 1', () => {
    expect(() => deploy({ liveness: HardenedProbe.grpc(9090, { successThreshold: 2 }) }))
      .toThrow(/\[test\/w\] containers\[0\]: liveness HardenedProbe.grpc\(9090\) has successThreshold 2; Kubernetes requires 1/);
    expect(() => deploy({ startup: HardenedProbe.httpGet('/s', { successThreshold: 3 }) })).toThrow(/startup HardenedProbe.httpGet\("\/s"\) has successThreshold 3/);
    const readiness = HardenedProbe.grpc(9090, { successThreshold: 2 });
    expect(deploy({ readiness, liveness: HardenedProbe.grpc(9090, { period: Duration.seconds(30) }) })).toBeDefined();
  });

  test('one probe as both readiness and liveness, or two identical ones, are refused', () => {
    const probe = HardenedProbe.grpc(9090);
    expect(() => deploy({ readiness: probe, liveness: probe })).toThrow(/\[test\/w\] containers\[0\]: liveness HardenedProbe.grpc\(9090\) is the same probe as readiness/);
    expect(() => deploy({ readiness: HardenedProbe.httpGet('/h'), liveness: HardenedProbe.httpGet('/h') })).toThrow(/is the same probe as readiness/);
  });

  test('an HTTP probe on a container without a port names the container', () => {
    const chart = Testing.chart();
    new HardenedJob(chart, 'w', { metadata: { namespace: 'shop' }, containers: [{ name: 'task', image: DIGEST_IMAGE, readiness: HardenedProbe.httpGet('/h') }] });
    expect(() => Testing.synth(chart)).toThrow(/HardenedProbe.httpGet\("\/h"\): container 'task' has no portNumber to send the request to; give the probe a port/);
  });
});

test('the factories return cdk8s-plus probes that HardenedProbe recognises', () => {
  expect(HardenedProbe.isHardenedProbe(HardenedProbe.grpc(1))).toBe(true);
  expect(HardenedProbe.isHardenedProbe(kplus.Probe.fromTcpSocket())).toBe(false);
  expect(HardenedProbe.grpc(1)).toBeInstanceOf(kplus.Probe);
});
