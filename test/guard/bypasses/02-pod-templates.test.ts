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

// A group the hand-kept list of built-in groups named, but Kubernetes 1.27 does not serve: neither the pod search nor
// kubernetes-schema looked at it. Only apiVersion/kind pairs the pinned schema serves are exempt from the search.
catalogue('2b. pod templates in kinds the pinned Kubernetes does not serve', [
  {
    name: 'a kind under a built-in-looking group that 1.27 does not serve (storagemigration.k8s.io)',
    objects: [{ apiVersion: 'storagemigration.k8s.io/v1alpha1', kind: 'Runner', metadata: meta('evil'), spec: { template: template() } }],
    expect: /privileged: Runner shop\/evil \/spec\/template\/spec\/containers\/0\/securityContext\/privileged/,
  },
  {
    name: 'a kind 1.27 does not serve in a served group (apps/v1 Rollout)',
    objects: [{ apiVersion: 'apps/v1', kind: 'Rollout', metadata: meta('evil'), spec: { template: template() } }],
    expect: /privileged: Rollout shop\/evil \/spec\/template\/spec\/containers\/0\/securityContext\/privileged/,
  },
]);
