import * as jsYaml from 'js-yaml';
import { catalogue, compliantPodSpec, defaultDeny, privilegedPod } from './harness';

// Issue 11, class 10: text that kubectl (YAML 1.1, go-yaml v2) reads differently from a YAML 1.2 reader. The check
// reads plain scalars as kubectl does, and refuses the line breaks only YAML 1.1 has (exit 2, file:line:column).
const pod = (): any => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil', namespace: 'shop' }, spec: compliantPodSpec() });
const podYaml = (edit: (text: string) => string) => edit(jsYaml.dump(pod(), { noRefs: true }));
const replaceOnce = (text: string, from: string, to: string) => {
  if (!text.includes(from)) throw new Error(`fixture text has no ${from}`);
  return text.replace(from, to);
};
const breakAt = (code: string) => new RegExp(`attack.yaml:\\d+:\\d+: character U\\+${code} is a line break for kubectl`);

catalogue('10. text that kubectl reads differently', [
  ...[['0085', '\u0085'], ['2028', '\u2028'], ['2029', '\u2029']].map(([code, char]) => ({
    name: `a comment hiding "privileged: true" behind U+${code}`,
    yaml: podYaml(t => replaceOnce(t, '        privileged: false\n', `        privileged: false # note${char}        privileged: true\n`)),
    expect: breakAt(code),
    exit: 2,
    only: 'cli' as const,
  })),
  {
    name: 'privileged: yes (a YAML 1.1 boolean)',
    yaml: podYaml(t => replaceOnce(t, 'privileged: false', 'privileged: yes')),
    expect: /error privileged: Pod shop\/evil \/spec\/containers\/0\/securityContext\/privileged/,
    only: 'cli',
  },
  {
    name: 'allowPrivilegeEscalation: On',
    yaml: podYaml(t => replaceOnce(t, 'allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: On')),
    expect: /error allow-privilege-escalation: Pod shop\/evil/,
    only: 'cli',
  },
  {
    name: 'hostNetwork: y',
    yaml: podYaml(t => replaceOnce(t, 'automountServiceAccountToken: false', 'automountServiceAccountToken: false\n  hostNetwork: y')),
    expect: /error host-namespaces: Pod shop\/evil \/spec\/hostNetwork/,
    only: 'cli',
  },
  {
    name: 'runAsUser: 010000 (octal 4096 for kubectl, 10000 for YAML 1.2)',
    yaml: podYaml(t => t.replace(/runAsUser: 65532/g, 'runAsUser: 010000').replace(/runAsGroup: 65532/g, 'runAsGroup: 0x2710')),
    expect: /error high-uid-gid: Pod shop\/evil \/spec\/(securityContext|containers\/0\/securityContext)\/runAsUser: .*4096/,
    only: 'cli',
  },
  // Found by reviews that compared `check` with kubectl's own decoder (test/guard/kubectl-oracle.test.ts): each hid a
  // privileged field, or an object, from the check while kubectl applied it.
  {
    name: 'a merge written after the key it replaces (privileged: false, then <<: {privileged: true})',
    yaml: podYaml(t => replaceOnce(t, '        privileged: false\n', '        privileged: false\n        <<: {privileged: true}\n')),
    expect: /attack.yaml:\d+:\d+: a merge key \(<<\) after other keys/,
    exit: 2,
    only: 'cli',
  },
  {
    name: 'the same with a byte order mark first (it once shifted the reader\'s text checks by one character)',
    yaml: `\ufeff${podYaml(t => replaceOnce(t, '        privileged: false\n', '        privileged: false\n        <<: {privileged: true}\n'))}`,
    expect: /attack.yaml:\d+:\d+: a merge key \(<<\) after other keys/,
    exit: 2,
    only: 'cli',
  },
  {
    name: 'an anchored merge key (&k <<: *up), which merges for kubectl only',
    yaml: podYaml(t => replaceOnce(t, '        privileged: false\n', '        <<: {}\n        privileged: false\n').replace('<<: {}', '&k <<: {privileged: true}')),
    expect: /attack.yaml:\d+:\d+: a tag, anchor or alias on a mapping key/,
    exit: 2,
    only: 'cli',
  },
  {
    name: 'a privileged Pod after a "---#x: |" line (a document separator for kubectl, a ConfigMap key for YAML 1.2)',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\ndata: {k: v}\n---#x: |\n  ${JSON.stringify({ ...pod(), spec: { ...compliantPodSpec(), containers: [{ ...compliantPodSpec().containers[0], securityContext: { ...compliantPodSpec().containers[0].securityContext, privileged: true } }] } })}\n`,
    expect: /error privileged: Pod shop\/evil \/spec\/containers\/0\/securityContext\/privileged/,
    only: 'cli',
  },
  ...['{?privileged: true}', '&s {?privileged: true}'].map(value => ({
    name: `securityContext: ${value} (hostPID-style explicit key, privileged for kubectl)`,
    yaml: podYaml(t => t.replace(/( {6}securityContext:\n)( {8}.*\n)+/, `      securityContext: ${value}\n`)),
    expect: /attack.yaml:\d+:\d+: a plain value starting with ':' or holding '\?' in a flow collection/,
    exit: 2,
    only: 'cli' as const,
  })),
  {
    name: 'a privileged Pod of a List swallowed by an empty nested list item in the ConfigMap before it',
    yaml: `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c, namespace: shop}\n  x:\n    - -\n- ${JSON.stringify(privilegedPod())}\n`,
    expect: /attack.yaml:\d+:\d+: an empty list item/,
    exit: 2,
    only: 'cli',
  },
  {
    name: 'a command whose escaped line break before an empty line loses the line feed kubectl keeps',
    yaml: podYaml(t => replaceOnce(t, '    - name: ', '    - args: ["echo ok\\\n\n        ; rm -rf /data"]\n      name: ')),
    expect: /attack.yaml:\d+:\d+: an escaped line break followed by an empty line/,
    exit: 2,
    only: 'cli',
  },
  {
    name: 'a NetworkPolicy after `...` with no separator (kubectl never applies it)',
    yaml: `${podYaml(t => t)}...\n${jsYaml.dump(defaultDeny())}`,
    expect: /attack.yaml:1: a document follows a document end marker/,
    exit: 2,
    only: 'cli',
  },
  {
    name: 'an unknown tag kubectl would drop (!!binary)',
    yaml: podYaml(t => replaceOnce(t, 'name: evil', 'name: !!binary ZXZpbA==')),
    expect: /attack.yaml:\d+: invalid YAML: unknown tag/,
    exit: 2,
    only: 'cli',
  },
]);
