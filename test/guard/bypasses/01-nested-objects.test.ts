import { catalogue, compliantPodSpec, privilegedPod } from './harness';

// Issue 11, class 1: objects inside objects. kubectl decodes any object with an `items` field as a List and applies
// its items: the guard refuses such an object (synthesis-integrity, not exemptable); the CLI checks every item.
const integrity = /synthesis-integrity: \w+ [\w/-]* \/items: the object has items/;
const privileged = /privileged: Pod shop\/evil \/spec\/containers\/0\/securityContext\/privileged/;
const configMap = (items: any) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'innocent', namespace: 'shop' }, items });

catalogue('1. objects inside objects', [
  {
    name: 'a List of a privileged Pod',
    objects: [{ apiVersion: 'v1', kind: 'List', items: [privilegedPod()] }],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'a PodList of a privileged Pod',
    objects: [{ apiVersion: 'v1', kind: 'PodList', items: [privilegedPod()] }],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'a ConfigMap carrying items: [privileged Pod]',
    objects: [configMap([privilegedPod()])],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'a List nested in a List nested in a ConfigMap',
    objects: [configMap([{ apiVersion: 'v1', kind: 'List', items: [privilegedPod()] }])],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'a custom resource carrying items after a compliant item',
    objects: [{
      apiVersion: 'example.com/v1',
      kind: 'Bundle',
      metadata: { name: 'b', namespace: 'shop' },
      items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ok', namespace: 'shop' }, spec: compliantPodSpec() }, privilegedPod()],
    }],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'items that are not objects (kubectl cannot decode them; check must not skip them)',
    objects: [configMap([{ kind: 'Pod', spec: {} }])],
    expect: integrity,
    expectCli: /items\[0\]: .*has no apiVersion/,
    exit: 2,
  },
]);
