import * as jsYaml from 'js-yaml';
import { catalogue, compliantPodSpec } from './harness';

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
  {
    name: 'an unknown tag kubectl would drop (!!binary)',
    yaml: podYaml(t => replaceOnce(t, 'name: evil', 'name: !!binary ZXZpbA==')),
    expect: /attack.yaml:\d+: invalid YAML: unknown tag/,
    exit: 2,
    only: 'cli',
  },
]);
