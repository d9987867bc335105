import { catalogue, privilegedPodSpec, synthAttempt } from './harness';

// Issue 11, class 2: pod templates outside the built-in kinds are checked by every pod control.
const meta = (name: string) => ({ name, namespace: 'shop' });
const template = () => ({ metadata: { labels: { app: 'evil' } }, spec: privilegedPodSpec() });

catalogue('2. pod templates outside the built-in kinds', [
  {
    name: 'an Argo Rollout (spec.template.spec)',
    objects: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: meta('evil'), spec: { replicas: 2, template: template() } }],
    expect: /privileged: Rollout shop\/evil \/spec\/template\/spec\/containers\/0\/securityContext\/privileged/,
  },
  {
    name: 'a Knative Service (spec.template.spec)',
    objects: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: meta('evil'), spec: { template: template() } }],
    expect: /privileged: Service shop\/evil \/spec\/template\/spec\/containers\/0\/securityContext\/privileged/,
  },
  {
    name: 'a KEDA ScaledJob (spec.jobTargetRef.template.spec)',
    objects: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: meta('evil'), spec: { jobTargetRef: { template: template() } } }],
    expect: /privileged: ScaledJob shop\/evil \/spec\/jobTargetRef\/template\/spec\/containers\/0\/securityContext\/privileged/,
  },
  {
    name: 'any kind with spec.jobTemplate.spec.template.spec',
    objects: [{ apiVersion: 'example.com/v1', kind: 'Scheduled', metadata: meta('evil'), spec: { jobTemplate: { spec: { template: template() } } } }],
    expect: /privileged: Scheduled shop\/evil \/spec\/jobTemplate\/spec\/template\/spec\/containers\/0\/securityContext\/privileged/,
  },
  {
    name: 'a built-in kind name under a foreign group (apps.example.com Deployment)',
    objects: [{ apiVersion: 'apps.example.com/v1', kind: 'Deployment', metadata: meta('evil'), spec: { template: template() } }],
    expect: /privileged: Deployment shop\/evil \/spec\/template\/spec\/containers\/0\/securityContext\/privileged/,
  },
  {
    name: 'an unknown kind holding a pod spec under another key, second in a list',
    objects: [{
      apiVersion: 'example.com/v1',
      kind: 'Fleet',
      metadata: meta('evil'),
      spec: { members: [{ podSpec: { containers: [] } }, { podSpec: privilegedPodSpec() }] },
    }],
    expect: /privileged: Fleet shop\/evil \/spec\/members\/1\/podSpec\/containers\/0\/securityContext\/privileged/,
  },
]);

test('a pod template nested a hundred levels deep in a custom resource is still found', () => {
  let node: any = { template: { spec: privilegedPodSpec() } };
  for (let i = 0; i < 100; i++) node = { wrap: node };
  const { error } = synthAttempt({ name: 'deep', objects: [{ apiVersion: 'example.com/v1', kind: 'Deep', metadata: meta('evil'), spec: node }], expect: /./ });
  expect(error).toMatch(/privileged: Deep shop\/evil \/spec(\/wrap){100}\/template\/spec\/containers\/0\/securityContext\/privileged/);
});
