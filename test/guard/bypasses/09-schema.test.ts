import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { catalogue, compliantPodSpec } from './harness';
import { HardenedDeployment } from '../../../src/workloads/hardened-deployment';

// Issue "Guard integrity", class 9: objects the API server would reject are never written. A field dropped in
// serialization, a wrong type or a value outside a closed set is refused at synthesis, not at `kubectl apply`.

const IMAGE = 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const PROBE_PORT = /required property 'port' missing/;

function deployment(spec: (podSpec: any) => void, replicas: any = 2): any {
  const podSpec = compliantPodSpec();
  spec(podSpec);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
  };
}

catalogue('9. objects the API server would reject', [
  {
    name: 'a JSON patch adds a probe with a plain-number port to a kplus.Deployment (the port is dropped)',
    guard: chart => {
      const workload = new kplus.Deployment(chart, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
      ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/readinessProbe', { httpGet: { path: '/x', port: 8080 } }));
    },
    expect: PROBE_PORT,
    only: 'guard',
  },
  {
    name: 'a JSON patch adds a probe with a plain-number port to a HardenedDeployment (the port is dropped)',
    guard: chart => {
      const workload = new HardenedDeployment(chart, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
      ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/readinessProbe', { httpGet: { path: '/x', port: 8080 } }));
    },
    expect: PROBE_PORT,
    only: 'guard',
  },
  {
    name: 'the probe without a port, as YAML',
    objects: [deployment(spec => { spec.containers[0].readinessProbe = { httpGet: { path: '/x' } }; })],
    expect: PROBE_PORT,
  },
  {
    name: 'replicas: "two"',
    objects: [deployment(() => undefined, 'two')],
    expect: /replicas is the string "two", not an integer/,
  },
  {
    name: 'imagePullPolicy: Sometimes',
    objects: [deployment(spec => { spec.containers[0].imagePullPolicy = 'Sometimes'; })],
    expect: /imagePullPolicy is the string "Sometimes", not one of Always, IfNotPresent, Never/,
  },
  {
    name: 'restartPolicy: Sometimes',
    objects: [deployment(spec => { spec.restartPolicy = 'Sometimes'; })],
    expect: /restartPolicy is the string "Sometimes", not one of Always, Never, OnFailure/,
  },
  {
    name: 'a container without a name',
    objects: [deployment(spec => { delete spec.containers[0].name; })],
    expect: /required property 'name' missing/,
  },
  {
    name: 'a tcpSocket port that is neither an integer nor a string',
    objects: [deployment(spec => { spec.containers[0].livenessProbe = { tcpSocket: { port: true } }; })],
    expect: /port is the boolean true, not a string or an integer/,
  },
  {
    name: 'an API version Kubernetes 1.27 no longer serves (batch/v1beta1 CronJob)',
    objects: [{
      apiVersion: 'batch/v1beta1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'shop' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { ...compliantPodSpec(), restartPolicy: 'Never' } } } } },
    }],
    expect: /serves no kind "CronJob" in batch\/v1beta1/,
  },
]);
