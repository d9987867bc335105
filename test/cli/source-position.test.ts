import { readManifests } from '../../src/guard/manifest-reader';
import { positionOf } from '../../src/guard/source-position';

// Where a finding's field is: plain keys read from the text, any other key (quoted, a YAML 1.1 boolean, a number) by
// parsing the document again; line numbers from the file's line breaks.

const TEXT = `apiVersion: v1
kind: Pod
metadata:
  name: p
  "namespace": x
spec:
  'hostNetwork': true
  containers:
    - name: c
      image: nginx
      "ports": [{ containerPort: 80 }]
  on: yes
  hostPID: true
---
apiVersion: v1
kind: ConfigMap
metadata: { name: c, namespace: x }
data:
  a: "1"
  b: "2"
`;

const [pod, configMap] = readManifests(TEXT, 'mixed.yaml', { locate: true });

test.each([
  ['/spec', 6, 1],
  ['/spec/hostNetwork', 7, 3],
  ['/metadata/namespace', 5, 3],
  ['/spec/containers/0/image', 10, 7],
  ['/spec/containers/0/ports/0/containerPort', 11, 19],
  ['/spec/hostPID', 13, 3],
  ['/spec/containers/0/securityContext', 9, 7],
  ['/spec/containers/3', 8, 3],
])('pod %s is at %i:%i, asked in any order', (pointer, line, column) => {
  expect(positionOf(pod.source!, pointer)).toEqual({ line, column });
});

test('the same field asked again, after others of the same mapping, is at the same place', () => {
  const first = ['/spec/hostPID', '/spec/containers', '/spec/hostNetwork'].map(p => positionOf(pod.source!, p));
  const again = ['/spec/hostNetwork', '/spec/containers', '/spec/hostPID'].map(p => positionOf(pod.source!, p)).reverse();
  expect(again).toEqual(first);
  expect(first).toEqual([{ line: 13, column: 3 }, { line: 8, column: 3 }, { line: 7, column: 3 }]);
});

test('a second document: its own lines', () => {
  expect(positionOf(configMap.source!, '/data/b')).toEqual({ line: 20, column: 3 });
  expect(positionOf(configMap.source!, '/metadata/namespace')).toEqual({ line: 17, column: 22 });
});
