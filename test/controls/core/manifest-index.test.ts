import { ofKind, ofKindIn, selecting, selectorMatches, selectsSomePodTemplate } from '../../../src/controls/core/manifest-index';

// The indexes must answer exactly what a linear scan with selectorMatches answers, in the set's order.

const policy = (name: string, podSelector: any, namespace?: string) =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector } });
const pod = (name: string, labels: any, namespace = 'shop') =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [] } });

const SELECTORS = [
  {},
  { matchLabels: { app: 'web' } },
  { matchLabels: { app: 'web', tier: 'front' } },
  { matchLabels: { tier: 'front' } },
  { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
  { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
  { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
  { matchLabels: { app: 1 } },
  { matchLabels: 'app=web' },
  null,
  undefined,
];
const LABEL_SETS = [{}, { app: 'web' }, { app: 'web', tier: 'front' }, { tier: 'front' }, { app: 'api' }, { app: '1' }];

describe('selecting: which objects of a kind select these labels', () => {
  const policies = SELECTORS.map((s, i) => policy(`p${i}`, s, 'shop'));
  const objects = [...policies, policy('elsewhere', {}, 'other'), pod('x', { app: 'web' })];

  test.each(LABEL_SETS.map(l => [JSON.stringify(l), l]))('labels %s: same answer and order as a linear scan', (_name, labels) => {
    const linear = policies.filter(p => selectorMatches(p.spec.podSelector, labels as any));
    expect(selecting(objects, 'NetworkPolicy', 'networking.k8s.io', 'shop', 'podSelector', labels as any)).toEqual(linear);
  });

  test('only the namespace asked for; a missing namespace counts as default', () => {
    const set = [policy('a', {}), policy('b', {}, 'default'), policy('c', {}, 'shop')];
    expect(selecting(set, 'NetworkPolicy', 'networking.k8s.io', 'default', 'podSelector', {}).map(p => p.metadata.name)).toEqual(['a', 'b']);
    expect(ofKindIn(set, 'NetworkPolicy', 'networking.k8s.io', 'shop').map(p => p.metadata.name)).toEqual(['c']);
  });

  test('the API group is part of the kind', () => {
    const other = { ...policy('crd', {}, 'shop'), apiVersion: 'crd.projectcalico.org/v1' };
    const set = [other, policy('core', {}, 'shop')];
    expect(ofKind(set, 'NetworkPolicy').length).toBe(2);
    expect(ofKind(set, 'NetworkPolicy', 'networking.k8s.io').map(p => p.metadata.name)).toEqual(['core']);
    expect(selecting(set, 'NetworkPolicy', 'networking.k8s.io', 'shop', 'podSelector', {}).map(p => p.metadata.name)).toEqual(['core']);
  });
});

describe('selectsSomePodTemplate: does a selector select any pod template of the namespace', () => {
  const pods = LABEL_SETS.map((l, i) => pod(`pod${i}`, l));
  const objects = [...pods, pod('other-ns', { app: 'db' }, 'other')];

  test.each(SELECTORS.map(s => [JSON.stringify(s) ?? 'undefined', s]))('selector %s: same answer as a linear scan', (_name, selector) => {
    const linear = pods.some(p => selectorMatches(selector, p.metadata.labels));
    expect(selectsSomePodTemplate(objects, 'shop', selector)).toBe(linear);
  });

  test('pods of another namespace are never selected', () => {
    expect(selectsSomePodTemplate(objects, 'shop', { matchLabels: { app: 'db' } })).toBe(false);
    expect(selectsSomePodTemplate(objects, 'other', { matchLabels: { app: 'db' } })).toBe(true);
  });
});
