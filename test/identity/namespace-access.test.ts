import { Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, FindingStatus, Guard, LeastPrivilegeServiceAccount, NamespaceAccess, Permission, RbacResource, Severity, Verb } from '../../src';
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

const DEPLOYER_REASON = 'the deployer persona rolls out new versions of existing workloads, which means updating their pod '
  + 'templates; it cannot create or delete workloads';

describe('deployer: rolls out changes to existing workloads, for developers and pipelines', () => {
  const scope = chart();
  const pipeline = new LeastPrivilegeServiceAccount(scope, 'pipeline');
  NamespaceAccess.deployer(scope, 'deployers', { subjects: [pipeline], groups: ['shop-developers'] });
  const manifests = synth(scope);
  const role = only(manifests, 'Role');
  const rollout = ['get', 'list', 'watch', 'update', 'patch'];
  const appsRule = { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'statefulsets'], verbs: rollout };
  const batchRule = { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: rollout };

  test('exactly update and patch (with read) on workloads, config maps and services; read on pods, replicasets, events', () => {
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: rollout },
      { apiGroups: [''], resources: ['events', 'pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      appsRule,
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
      batchRule,
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

  test('updating workloads rewrites pod templates: rbac-create-pods reports each one, exempted by the persona with its reason', () => {
    expect(Guard.findings(scope).map(f => [f.controlId, f.severity, f.status, f.pointer, f.message.replace(/^Role '[^']+' /, '')])).toEqual([
      ['rbac-create-pods', Severity.WARNING, FindingStatus.EXEMPT, '/rules/3/resources/1', 'rules[3] grants update, patch on deployments (apps)'],
      ['rbac-create-pods', Severity.WARNING, FindingStatus.EXEMPT, '/rules/3/resources/2', 'rules[3] grants update, patch on statefulsets (apps)'],
      ['rbac-create-pods', Severity.WARNING, FindingStatus.EXEMPT, '/rules/3/resources/0', 'rules[3] grants update, patch on daemonsets (apps)'],
      ['rbac-create-pods', Severity.WARNING, FindingStatus.EXEMPT, '/rules/5/resources/0', 'rules[5] grants update, patch on cronjobs (batch)'],
    ]);
    expect(Guard.unusedExemptions(scope)).toEqual([]);
  });

  test('the exemption is written on the Role, narrowed to the persona\'s two workload rules and pinned to their value', () => {
    expect(JSON.parse(role.metadata.annotations['exemptions.cdk8s-hardened.io/rbac-create-pods'])).toEqual([
      { reason: DEPLOYER_REASON, kind: 'Role', pointer: '/rules/3', pointerValue: appsRule },
      { reason: DEPLOYER_REASON, kind: 'Role', pointer: '/rules/5', pointerValue: batchRule },
    ]);
    expect(only(manifests, 'RoleBinding').metadata.annotations).toBeUndefined();
  });

  test('a JSON patch that changes a workload rule voids the persona\'s exemption for it', () => {
    const patched = chart();
    const access = NamespaceAccess.deployer(patched, 'deployers', { groups: ['shop-developers'] });
    access.role.addJsonPatch(JsonPatch.add('/rules/3/verbs/-', 'create'));
    synth(patched);
    expect(Guard.findings(patched).filter(f => f.status === FindingStatus.FAIL).map(f => [f.controlId, f.pointer])).toEqual([
      ['rbac-create-pods', '/rules/3/resources/1'], ['rbac-create-pods', '/rules/3/resources/2'], ['rbac-create-pods', '/rules/3/resources/0'],
    ]);
  });

  test('the user\'s own exemptions are kept beside the persona\'s', () => {
    const own = chart();
    NamespaceAccess.deployer(own, 'deployers', {
      groups: ['shop-developers'],
      exemptions: [{ control: Controls.RBAC_CREATE_PODS, reason: 'the release pipeline is reviewed by the platform team', ticket: 'OPS-3' }],
    });
    synth(own);
    expect(Guard.findings(own).every(f => f.status === FindingStatus.EXEMPT)).toBe(true);
  });
});

describe('clusterRolesInNamespace: existing ClusterRoles bound to the same subjects in the namespace', () => {
  test('a viewer with the view role of a CRD: one more RoleBinding, same subjects and namespace, no name clash', () => {
    const scope = chart();
    const access = NamespaceAccess.viewer(scope, 'testers', {
      metadata: { name: 'shop-testers', labels: { team: 'shop' } },
      groups: ['shop-testers'],
      clusterRolesInNamespace: ['argo-workflows-view'],
    });
    const manifests = synth(scope);
    const toClusterRole = manifests.find(m => m.kind === 'RoleBinding' && m.roleRef.kind === 'ClusterRole');
    expect(toClusterRole).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: toClusterRole.metadata.name, namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened', 'team': 'shop' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-workflows-view' },
      subjects: [{ kind: 'Group', name: 'shop-testers', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    expect(toClusterRole.metadata.name).not.toBe('shop-testers');
    expect(access.roleBindingsToClusterRoles).toHaveLength(1);
    expect(Guard.findings(scope)).toEqual([]);
  });

  test('edit is refused without exemptions, and accepted with them, recorded on its RoleBinding', () => {
    expect(() => NamespaceAccess.viewer(chart(), 'testers', { groups: ['shop-testers'], clusterRolesInNamespace: ['edit'] }))
      .toThrow(/\[team\/testers\] 4 dangerous grant\(s\) refused:\n {2}clusterRolesInNamespace\[0\] \(ClusterRole 'edit'\) is refused by rbac-secrets-read: /);
    const scope = chart();
    const controls = [Controls.RBAC_SECRETS_READ, Controls.RBAC_POD_EXEC, Controls.RBAC_ESCALATION_VERBS, Controls.RBAC_TOKEN_CREATE];
    NamespaceAccess.viewer(scope, 'leads', {
      groups: ['shop-leads'],
      clusterRolesInNamespace: ['edit'],
      exemptions: controls.map(control => ({ control, reason: 'team leads administer their own namespace, reviewed quarterly' })),
    });
    const binding = synth(scope).find(m => m.kind === 'RoleBinding' && m.roleRef.name === 'edit');
    for (const control of controls) expect(binding.metadata.annotations).toHaveProperty([`exemptions.cdk8s-hardened.io/${control.id}`]);
  });

  test('cluster-admin is refused by rbac-cluster-admin', () => {
    expect(() => NamespaceAccess.viewer(chart(), 'testers', { groups: ['g'], clusterRolesInNamespace: ['cluster-admin'] }))
      .toThrow(/clusterRolesInNamespace\[0\] \(ClusterRole 'cluster-admin'\) is refused by rbac-cluster-admin/);
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
    ['groups a string', () => NamespaceAccess.viewer(chart(), 'v', { groups: 'x' as any }),
      /\[team\/v\] groups: "x" is not a list; give a list of group names, e.g. \['shop-testers'\]/],
    ['users a string', () => NamespaceAccess.deployer(chart(), 'v', { users: 'alice' as any }), /\[team\/v\] users: "alice" is not a list; give a list of user names/],
    ['subjects not a list', () => NamespaceAccess.viewer(chart(), 'v', { subjects: {} as any }), /\[team\/v\] subjects: \{\} is not a list/],
    ['a null subject', () => NamespaceAccess.viewer(chart(), 'v', { subjects: [null as any] }),
      /\[team\/v\] subjects\[0\]: null is not a subject; give a service account, kplus.User or kplus.Group/],
    ['a string subject', () => NamespaceAccess.viewer(chart(), 'v', { subjects: ['ci' as any] }), /\[team\/v\] subjects\[0\]: "ci" is not a subject/],
    ['a null group', () => NamespaceAccess.viewer(chart(), 'v', { groups: [null as any] }), /\[team\/v\] groups\[0\]: null is not a group name/],
    ['props undefined', () => new NamespaceAccess(chart(), 'v', undefined as any), /\[team\/v\] props: undefined is not an object; give \{ permissions, users, groups or subjects \}/],
    ['options null', () => NamespaceAccess.viewer(chart(), 'v', null as any), /\[team\/v\] NamespaceAccess.viewer: options null is not an object/],
    ['options a string', () => NamespaceAccess.deployer(chart(), 'v', 'devs' as any), /\[team\/v\] NamespaceAccess.deployer: options "devs" is not an object/],
    ['metadata a string', () => NamespaceAccess.viewer(chart(), 'v', { groups: ['g'], metadata: 'shop' as any }), /\[team\/v\] metadata: "shop" is not an object/],
    ['exemptions not a list', () => NamespaceAccess.viewer(chart(), 'v', { groups: ['g'], exemptions: 'x' as any }), /\[team\/v\] exemptions: "x" is not a list/],
    ['deployer exemptions not a list', () => NamespaceAccess.deployer(chart(), 'v', { groups: ['g'], exemptions: 'x' as any }), /\[team\/v\] exemptions: "x" is not a list/],
    ['permissions not a list', () => new NamespaceAccess(chart(), 'v', { groups: ['g'], permissions: 'read' as any }), /\[team\/v\] permissions: "read" is not a list/],
    ['clusterRolesInNamespace not a list', () => NamespaceAccess.viewer(chart(), 'v', { groups: ['g'], clusterRolesInNamespace: 'view' as any }),
      /\[team\/v\] clusterRolesInNamespace: "view" is not a list/],
  ])('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});
