import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, FindingStatus, Guard, LeastPrivilegeServiceAccount, NamespaceAccess, Permission, RbacResource, Verb } from '../../src';
import { grants, RbacAccess } from '../../src/controls/core/rbac-rules';
import { REASON, only, synth } from '../helpers/synth';

const SECRETS_READ: RbacAccess = { group: '', resource: 'secrets', verbs: ['get', 'list', 'watch'] };
const POD_EXEC_ATTACH_FORWARD: RbacAccess[] = ['exec', 'attach', 'portforward'].map(subresource => ({ group: '', resource: 'pods', subresource }));
const WRITE: string[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];

function chart(): Chart {
  return new Chart(Testing.app(), 'team', { namespace: 'shop' });
}

/** Every (group, resource) a role grants, with its verbs. */
function grantsOf(role: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const rule of role.rules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const key = group ? `${resource}.${group}` : resource;
        out[key] = [...new Set([...out[key] ?? [], ...rule.verbs])];
      }
    }
  }
  return out;
}

function expectNeverSecretsOrExec(role: any): void {
  for (const rule of role.rules) {
    expect(grants(rule, SECRETS_READ)).toBe(false);
    expect(grants(rule, { group: '', resource: 'secrets' })).toBe(false);
    for (const access of POD_EXEC_ATTACH_FORWARD) expect(grants(rule, access)).toBe(false);
    expect(rule.verbs).not.toContain('*');
    expect(rule.resources.some((r: string) => r.includes('*'))).toBe(false);
  }
}

describe('viewer: read-only access to a namespace for testers', () => {
  const scope = chart();
  const access = NamespaceAccess.viewer(scope, 'testers', { groups: ['shop-testers'], users: ['alice@example.com'] });
  const manifests = synth(scope);
  const role = only(manifests, 'Role');

  test('exactly get, list, watch on the common namespaced resources, and get on pod logs', () => {
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps', 'endpoints', 'events', 'limitranges', 'persistentvolumeclaims', 'pods', 'replicationcontrollers',
          'resourcequotas', 'serviceaccounts', 'services'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(role.metadata.namespace).toBe('shop');
  });

  test('never writes anything, never reads secrets, never execs', () => {
    for (const verbs of Object.values(grantsOf(role))) {
      expect(verbs.filter(v => WRITE.includes(v))).toEqual([]);
    }
    expectNeverSecretsOrExec(role);
  });

  test('the RoleBinding binds the Role to the users and groups in the namespace', () => {
    const binding = only(manifests, 'RoleBinding');
    expect(binding.metadata.namespace).toBe('shop');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([
      { kind: 'User', name: 'alice@example.com', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'Group', name: 'shop-testers', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
    expect(access.role.name).toBe(role.metadata.name);
    expect(access.roleBinding.name).toBe(binding.metadata.name);
  });

  test('the guard has no finding at all, warnings included', () => {
    expect(Guard.findings(scope)).toEqual([]);
  });
});

describe('deployer: rolls out changes to existing workloads, for developers and pipelines', () => {
  const scope = chart();
  const pipeline = new LeastPrivilegeServiceAccount(scope, 'pipeline');
  NamespaceAccess.deployer(scope, 'deployers', { subjects: [pipeline], groups: ['shop-developers'] });
  const manifests = synth(scope);
  const role = only(manifests, 'Role');

  test('exactly update and patch (with read) on workloads, config maps and services; read on pods, replicasets, events', () => {
    const rollout = ['get', 'list', 'watch', 'update', 'patch'];
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: rollout },
      { apiGroups: [''], resources: ['events', 'pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'statefulsets'], verbs: rollout },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: rollout },
    ]);
  });

  test('never creates or deletes, never reads secrets, never execs', () => {
    for (const verbs of Object.values(grantsOf(role))) {
      expect(verbs).not.toContain('create');
      expect(verbs).not.toContain('delete');
      expect(verbs).not.toContain('deletecollection');
    }
    expectNeverSecretsOrExec(role);
  });

  test('bound to the pipeline\'s service account (with its namespace) and the developers\' group', () => {
    expect(only(manifests, 'RoleBinding').subjects).toEqual([
      { kind: 'Group', name: 'shop-developers', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: pipeline.name, namespace: 'shop' },
    ]);
  });

  test('the guard has no finding at all, warnings included', () => {
    expect(Guard.findings(scope)).toEqual([]);
  });
});

describe('custom access and its checks', () => {
  test('own permissions, metadata and kplus subjects', () => {
    const scope = Testing.chart();
    const user = kplus.User.fromName(scope, 'Bob', 'bob@example.com');
    const imported = kplus.ServiceAccount.fromServiceAccountName(scope, 'Ci', 'ci', { namespaceName: 'pipelines' });
    new NamespaceAccess(scope, 'scalers', {
      metadata: { namespace: 'shop', name: 'shop-scalers', labels: { team: 'shop' } },
      permissions: [Permission.allow([Verb.GET, Verb.PATCH], RbacResource.DEPLOYMENTS.withSubresource('scale'))],
      subjects: [user, imported],
    });
    const manifests = synth(scope);
    const role = only(manifests, 'Role');
    expect(role.metadata).toEqual({ name: 'shop-scalers', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened', 'team': 'shop' } });
    expect(role.rules).toEqual([{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'patch'] }]);
    expect(only(manifests, 'RoleBinding').subjects).toEqual([
      { kind: 'User', name: 'bob@example.com', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'pipelines' },
    ]);
    expect(Guard.findings(scope)).toEqual([]);
  });

  test('a dangerous grant is refused, and allowed with an exemption recorded on the Role', () => {
    const debug = [Permission.allow([Verb.CREATE], RbacResource.PODS.withSubresource('exec'))];
    expect(() => new NamespaceAccess(chart(), 'debuggers', { groups: ['sre'], permissions: debug }))
      .toThrow(/\[team\/debuggers\] 1 dangerous grant\(s\) refused:\n {2}permissions\[0\] \(create on pods\/exec\) is refused by rbac-pod-exec/);

    const scope = chart();
    new NamespaceAccess(scope, 'debuggers', { groups: ['sre'], permissions: debug, exemptions: [{ control: Controls.RBAC_POD_EXEC, reason: REASON }] });
    const role = only(synth(scope), 'Role');
    expect(role.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/rbac-pod-exec']);
    expect(Guard.findings(scope).map(f => [f.controlId, f.status])).toEqual([['rbac-pod-exec', FindingStatus.EXEMPT]]);
  });

  test('binding to everyone (system:authenticated) is refused by rbac-system-groups, and allowed with an exemption', () => {
    expect(() => NamespaceAccess.viewer(chart(), 'everyone', { groups: ['system:authenticated'] }))
      .toThrow(/subject Group 'system:authenticated' is refused by rbac-system-groups: RoleBinding 'shop\/.*' subjects\[0\] is Group 'system:authenticated'/);

    const scope = chart();
    NamespaceAccess.viewer(scope, 'everyone', {
      groups: ['system:authenticated'],
      exemptions: [{ control: Controls.RBAC_SYSTEM_GROUPS, reason: 'public status page: every cluster user may read it' }],
    });
    const binding = only(synth(scope), 'RoleBinding');
    expect(binding.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/rbac-system-groups']);
  });

  test.each<[string, () => unknown, RegExp]>([
    ['no subjects', () => NamespaceAccess.viewer(chart(), 'nobody'), /\[team\/nobody\] no subjects; give users, groups or subjects/],
    ['empty user name', () => NamespaceAccess.viewer(chart(), 'x', { users: [''] }), /\[team\/x\] users\[0\]: "" is not a user name/],
    ['no permissions', () => new NamespaceAccess(chart(), 'x', { groups: ['g'], permissions: [] }), /\[team\/x\] permissions: none given/],
    ['cluster-scoped resource', () => new NamespaceAccess(chart(), 'x', { groups: ['g'], permissions: [Permission.read(RbacResource.NODES)] }),
      /permissions\[0\] \(get, list, watch on nodes\): nodes is cluster-scoped, which a Role in one namespace cannot grant/],
    ['no namespace', () => NamespaceAccess.viewer(Testing.chart(), 'x', { groups: ['g'] }), /\[test\/x\] metadata.namespace is not set/],
  ])('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});
