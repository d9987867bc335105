import { catalogue, privilegedPod } from './harness';

// Issue 11, class 1: objects inside objects. kubectl decodes any object with an `items` array as a list.
catalogue('1. objects inside objects', [
  {
    name: 'a List of a privileged Pod',
    objects: [{ apiVersion: 'v1', kind: 'List', items: [privilegedPod()] }],
    expect: /privileged: Pod shop\/evil/,
  },
  {
    name: 'a ConfigMap carrying items: [privileged Pod]',
    objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'innocent', namespace: 'shop' }, items: [privilegedPod()] }],
    expect: /privileged: Pod shop\/evil/,
  },
]);
