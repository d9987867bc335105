import { Chart, Duration, Testing } from 'cdk8s';
import { Control, Controls, Exemptions, FindingStatus, Guard, LeastPrivilegeServiceAccount, LeastPrivilegeServiceAccountProps, Permission, RbacResource, Severity, Verb } from '../../src';
import { REASON, only, synth } from '../helpers/synth';

const EXEMPTION_PREFIX = 'exemptions.cdk8s-hardened.io/';

function account(props: LeastPrivilegeServiceAccountProps = {}) {
  const chart = Testing.chart();
  const created = new LeastPrivilegeServiceAccount(chart, 'account', { metadata: { namespace: 'shop' }, ...props });
  return { chart, account: created };
}

function rbacFindings(chart: Chart) {
  return Guard.findings(chart).filter(f => f.controlId.startsWith('rbac-'));
}

describe('without permissions', () => {
  const { chart, account: created } = account();
  const manifests = synth(chart);

  test('only a ServiceAccount that never automounts a token: no Role, no binding, no token for its pods', () => {
    expect(manifests.map(m => m.kind)).toEqual(['ServiceAccount']);
    const serviceAccount = only(manifests, 'ServiceAccount');
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
    expect(serviceAccount.metadata).toMatchObject({ namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' } });
    expect(created.automountToken).toBe(false);
    expect(created.role).toBeUndefined();
    expect(created.roleBinding).toBeUndefined();
    expect(created.clusterRole).toBeUndefined();
    expect(created.clusterRoleBinding).toBeUndefined();
    expect(created.apiAccessToken).toBeUndefined();
  });

  test('the guard has no finding at all', () => {
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('token options on an account without permissions are refused', () => {
    expect(() => account({ tokenAudience: 'vault' }))
      .toThrow(/\[test\/account\] tokenAudience: the account has no permissions \(nor clusterPermissions or clusterRolesInNamespace\), so its pods get no API token/);
    expect(() => account({ tokenExpiration: Duration.hours(2) })).toThrow(/tokenExpiration: the account has no permissions/);
  });
});

describe('with permissions: one Role, one RoleBinding, exactly the rules asked for', () => {
  const permissions = [
    Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('shop-backend'),
    Permission.allow([Verb.GET, Verb.UPDATE], RbacResource.LEASES),
    Permission.read(RbacResource.SERVICES, RbacResource.ENDPOINT_SLICES, RbacResource.PODS),
    Permission.allow([Verb.CREATE], RbacResource.EVENTS),
  ];
  const expectedRules = [
    { apiGroups: [''], resources: ['configmaps'], resourceNames: ['shop-backend'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  ];
  const { chart, account: created } = account({ permissions });
  const manifests = synth(chart);
  const serviceAccount = only(manifests, 'ServiceAccount');
  const role = only(manifests, 'Role');
  const binding = only(manifests, 'RoleBinding');

  test('rules: one per permission and API group, sorted by group, resources, names, verbs', () => {
    expect(role.rules).toEqual(expectedRules);
    expect(role.metadata.namespace).toBe('shop');
    expect(manifests.map(m => m.kind).sort()).toEqual(['Role', 'RoleBinding', 'ServiceAccount']);
  });

  test('the order permissions are given in does not change the rules', () => {
    const reversed = account({ permissions: [...permissions].reverse() });
    expect(only(synth(reversed.chart), 'Role').rules).toEqual(expectedRules);
  });

  test('identical rules are merged; rules that differ only in verbs or names are not', () => {
    const { chart: merged } = account({
      permissions: [
        Permission.read(RbacResource.CONFIG_MAPS),
        Permission.read(RbacResource.CONFIG_MAPS),
        Permission.allow([Verb.GET], RbacResource.CONFIG_MAPS),
        Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('a'),
      ],
    });
    expect(only(synth(merged), 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  test('the RoleBinding binds exactly this Role to exactly this account', () => {
    expect(binding.metadata.namespace).toBe('shop');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: 'shop' }]);
    expect(created.role?.name).toBe(role.metadata.name);
    expect(created.roleBinding?.name).toBe(binding.metadata.name);
  });

  test('the account still never automounts; its pods get a one-hour token with the API server\'s audiences', () => {
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
    expect(created.apiAccessToken).toEqual({ audience: undefined, expirationSeconds: 3600 });
  });

  test('the guard\'s RBAC controls applied to the Role and the binding and found nothing', () => {
    expect(Guard.findings(chart)).toEqual([]);
    const evaluations = Guard.evaluations(chart);
    const roleControls = evaluations.find(e => e.kind === 'Role')!.applicableControls.filter(id => id.startsWith('rbac-'));
    expect(roleControls).toEqual(expect.arrayContaining([
      'rbac-wildcard', 'rbac-secrets-read', 'rbac-escalation-verbs', 'rbac-pod-exec', 'rbac-create-pods', 'rbac-node-proxy',
      'rbac-admission-webhooks', 'rbac-csr-approval', 'rbac-token-create', 'rbac-persistent-volumes',
    ]));
    const bindingControls = evaluations.find(e => e.kind === 'RoleBinding')!.applicableControls.filter(id => id.startsWith('rbac-'));
    expect(bindingControls).toEqual(expect.arrayContaining(['rbac-cluster-admin', 'rbac-system-groups']));
  });

  test('the namespace comes from the chart when metadata has none', () => {
    const chartWithNamespace = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new LeastPrivilegeServiceAccount(chartWithNamespace, 'account', { permissions: [Permission.read(RbacResource.PODS)] });
    const out = synth(chartWithNamespace);
    expect(out.map(m => m.metadata.namespace)).toEqual(['shop', 'shop', 'shop']);
    expect(only(out, 'RoleBinding').subjects[0].namespace).toBe('shop');
  });

  test('token audience and lifetime are options', () => {
    const { account: tuned } = account({
      permissions, tokenAudience: 'https://kubernetes.default.svc.cluster.local', tokenExpiration: Duration.minutes(15),
    });
    expect(tuned.apiAccessToken).toEqual({ audience: 'https://kubernetes.default.svc.cluster.local', expirationSeconds: 900 });
  });

  test('readWrite on pods draws the rbac-create-pods warning, not an error', () => {
    const { chart: writer } = account({ permissions: [Permission.readWrite(RbacResource.PODS)] });
    expect(only(synth(writer), 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    ]);
    expect(rbacFindings(writer).map(f => [f.controlId, f.severity, f.status])).toEqual([['rbac-create-pods', Severity.WARNING, FindingStatus.FAIL]]);
  });
});

describe('cluster-wide grants only through clusterPermissions', () => {
  test('a cluster-scoped resource in permissions is refused, naming the fix', () => {
    expect(() => account({ permissions: [Permission.read(RbacResource.PODS, RbacResource.NODES)] }))
      .toThrow(/\[test\/account\] permissions\[0\] \(get, list, watch on pods, nodes\): nodes is cluster-scoped, which a Role cannot grant; move this permission to clusterPermissions/);
  });

  test('clusterPermissions render a ClusterRole and a ClusterRoleBinding, reported by rbac-cluster-scope', () => {
    const { chart, account: created } = account({ clusterPermissions: [Permission.read(RbacResource.NODES, RbacResource.NAMESPACES)] });
    const manifests = synth(chart);
    const clusterRole = only(manifests, 'ClusterRole');
    const serviceAccount = only(manifests, 'ServiceAccount');
    expect(manifests.filter(m => m.kind === 'Role')).toEqual([]);
    expect(clusterRole.metadata.namespace).toBeUndefined();
    expect(clusterRole.rules).toEqual([{ apiGroups: [''], resources: ['namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] }]);
    expect(only(manifests, 'ClusterRoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: 'shop' }],
    });
    expect(created.clusterRole).toBeDefined();
    expect(created.apiAccessToken?.expirationSeconds).toBe(3600);
    expect(rbacFindings(chart).map(f => [f.controlId, f.kind, f.severity, f.status])).toEqual([
      ['rbac-cluster-scope', 'ClusterRole', Severity.WARNING, FindingStatus.FAIL],
      ['rbac-cluster-scope', 'ClusterRoleBinding', Severity.WARNING, FindingStatus.FAIL],
    ]);
  });

  test('an exemption with the reason records the cluster scope on both objects', () => {
    const { chart } = account({
      clusterPermissions: [Permission.read(RbacResource.NODES)],
      exemptions: [{ control: Controls.RBAC_CLUSTER_SCOPE, reason: 'the node labeller reads every node of the cluster' }],
    });
    const manifests = synth(chart);
    for (const kind of ['ClusterRole', 'ClusterRoleBinding']) {
      expect(only(manifests, kind).metadata.annotations).toHaveProperty([`${EXEMPTION_PREFIX}rbac-cluster-scope`]);
    }
    expect(rbacFindings(chart).every(f => f.status === FindingStatus.EXEMPT)).toBe(true);
  });

  test('namespaced and cluster-wide permissions side by side', () => {
    const { chart } = account({
      permissions: [Permission.read(RbacResource.CONFIG_MAPS)],
      clusterPermissions: [Permission.read(RbacResource.NODES)],
    });
    expect(synth(chart).map(m => m.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount']);
  });
});

interface DangerousCase {
  readonly permissions?: Permission[];
  readonly clusterPermissions?: Permission[];
  /** The controls that refuse it (each needs an exemption). */
  readonly controls: Control[];
}

const C = Controls;
const DANGEROUS: Array<[string, DangerousCase]> = [
  ['verbs *', { permissions: [Permission.allow([Verb.ALL], RbacResource.CONFIG_MAPS)], controls: [C.RBAC_WILDCARD] }],
  ['resources *', { permissions: [Permission.allow([Verb.GET], RbacResource.custom('apps', '*'))], controls: [C.RBAC_WILDCARD] }],
  ['apiGroups *', { permissions: [Permission.read(RbacResource.custom('*', 'configmaps'))], controls: [C.RBAC_WILDCARD] }],
  ['get secrets', { permissions: [Permission.allow([Verb.GET], RbacResource.SECRETS)], controls: [C.RBAC_SECRETS_READ] }],
  ['list secrets', { permissions: [Permission.allow([Verb.LIST], RbacResource.SECRETS)], controls: [C.RBAC_SECRETS_READ] }],
  ['watch secrets', { permissions: [Permission.allow([Verb.WATCH], RbacResource.SECRETS)], controls: [C.RBAC_SECRETS_READ] }],
  ['read one named secret', { permissions: [Permission.read(RbacResource.SECRETS).withResourceNames('tls')], controls: [C.RBAC_SECRETS_READ] }],
  ['pods/exec', { permissions: [Permission.allow([Verb.CREATE], RbacResource.PODS.withSubresource('exec'))], controls: [C.RBAC_POD_EXEC] }],
  ['pods/exec through get', { permissions: [Permission.allow([Verb.GET], RbacResource.PODS.withSubresource('exec'))], controls: [C.RBAC_POD_EXEC] }],
  ['pods/attach', { permissions: [Permission.allow([Verb.CREATE], RbacResource.PODS.withSubresource('attach'))], controls: [C.RBAC_POD_EXEC] }],
  ['pods/portforward', { permissions: [Permission.allow([Verb.CREATE], RbacResource.PODS.withSubresource('portforward'))], controls: [C.RBAC_POD_EXEC] }],
  ['bind roles', { permissions: [Permission.allow([Verb.BIND], RbacResource.ROLES)], controls: [C.RBAC_ESCALATION_VERBS] }],
  ['escalate roles', { permissions: [Permission.allow([Verb.ESCALATE], RbacResource.ROLES)], controls: [C.RBAC_ESCALATION_VERBS] }],
  ['impersonate service accounts', { permissions: [Permission.allow([Verb.IMPERSONATE], RbacResource.SERVICE_ACCOUNTS)], controls: [C.RBAC_ESCALATION_VERBS] }],
  ['impersonate users and groups', { clusterPermissions: [Permission.allow([Verb.IMPERSONATE], RbacResource.USERS, RbacResource.GROUPS)], controls: [C.RBAC_ESCALATION_VERBS] }],
  ['nodes/proxy', { clusterPermissions: [Permission.allow([Verb.GET], RbacResource.NODES.withSubresource('proxy'))], controls: [C.RBAC_NODE_PROXY] }],
  ['serviceaccounts/token create', { permissions: [Permission.allow([Verb.CREATE], RbacResource.SERVICE_ACCOUNTS.withSubresource('token'))], controls: [C.RBAC_TOKEN_CREATE] }],
  ['write validating webhooks', { clusterPermissions: [Permission.allow([Verb.UPDATE, Verb.PATCH], RbacResource.VALIDATING_WEBHOOK_CONFIGURATIONS)], controls: [C.RBAC_ADMISSION_WEBHOOKS] }],
  ['create mutating webhooks', { clusterPermissions: [Permission.allow([Verb.CREATE], RbacResource.MUTATING_WEBHOOK_CONFIGURATIONS)], controls: [C.RBAC_ADMISSION_WEBHOOKS] }],
  ['CSR approval', { clusterPermissions: [Permission.allow([Verb.UPDATE], RbacResource.CERTIFICATE_SIGNING_REQUESTS.withSubresource('approval'))], controls: [C.RBAC_CSR_APPROVAL] }],
  ['approve on signers', { clusterPermissions: [Permission.allow([Verb.APPROVE], RbacResource.SIGNERS)], controls: [C.RBAC_CSR_APPROVAL] }],
  ['cluster-admin\'s own rule (every verb on every resource of every group)', {
    clusterPermissions: [Permission.allow([Verb.ALL], RbacResource.customClusterScoped('*', '*'))],
    controls: [C.RBAC_WILDCARD, C.RBAC_SECRETS_READ, C.RBAC_ESCALATION_VERBS, C.RBAC_POD_EXEC, C.RBAC_NODE_PROXY,
      C.RBAC_ADMISSION_WEBHOOKS, C.RBAC_CSR_APPROVAL, C.RBAC_TOKEN_CREATE, C.RBAC_NAMESPACE_WRITE],
  }],
  ['patch pods/ephemeralcontainers (kubectl debug)', {
    permissions: [Permission.allow([Verb.PATCH], RbacResource.PODS.withSubresource('ephemeralcontainers'))], controls: [C.RBAC_POD_EXEC],
  }],
  ['update pods/ephemeralcontainers', {
    permissions: [Permission.allow([Verb.UPDATE], RbacResource.PODS.withSubresource('ephemeralcontainers'))], controls: [C.RBAC_POD_EXEC],
  }],
  ['patch namespaces (relabel Pod Security enforce)', { clusterPermissions: [Permission.allow([Verb.PATCH], RbacResource.NAMESPACES)], controls: [C.RBAC_NAMESPACE_WRITE] }],
  ['update namespaces', { clusterPermissions: [Permission.allow([Verb.GET, Verb.UPDATE], RbacResource.NAMESPACES)], controls: [C.RBAC_NAMESPACE_WRITE] }],
];

describe('dangerous grants are refused at construction unless an exemption covers them', () => {
  test.each(DANGEROUS)('%s: refused, naming the path, the permission, the control, why and how to exempt', (_name, danger) => {
    const field = danger.permissions ? 'permissions' : 'clusterPermissions';
    const permission = (danger.permissions ?? danger.clusterPermissions)![0];
    let message = '';
    try {
      account({ permissions: danger.permissions, clusterPermissions: danger.clusterPermissions });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('[test/account] ');
    expect(message).toContain(`${field}[0] (${permission}) is refused by `);
    for (const control of danger.controls) {
      expect(message).toContain(`is refused by ${control.id}: `);
      expect(message).toContain(`Why: ${control.rationale}`);
      expect(message).toContain(`exemptions: [{ control: Controls.${control.id.toUpperCase().replace(/-/g, '_')}, reason: '...' }]`);
    }
    const refusedBy = [...message.matchAll(/is refused by ([a-z-]+):/g)].map(m => m[1]);
    expect([...new Set(refusedBy)].sort()).toEqual(danger.controls.map(c => c.id).sort());
  });

  test.each(DANGEROUS)('%s: allowed with an exemption, recorded on the role in the YAML', (_name, danger) => {
    const { chart } = account({
      permissions: danger.permissions,
      clusterPermissions: danger.clusterPermissions,
      exemptions: danger.controls.map(control => ({ control, reason: REASON, ticket: 'SEC-7' })),
    });
    const manifests = synth(chart);
    const role = only(manifests, danger.permissions ? 'Role' : 'ClusterRole');
    for (const control of danger.controls) {
      expect(JSON.parse(role.metadata.annotations[`${EXEMPTION_PREFIX}${control.id}`])).toEqual({ reason: REASON, ticket: 'SEC-7' });
    }
    const findings = Guard.findings(chart);
    expect(findings.filter(f => f.status === FindingStatus.FAIL && f.severity === Severity.ERROR)).toEqual([]);
    expect([...new Set(findings.filter(f => f.status === FindingStatus.EXEMPT).map(f => f.controlId))].sort())
      .toEqual(danger.controls.map(c => c.id).sort());
  });

  test('an exemption attached to a scope above (before the account is created) covers it too', () => {
    const chart = Testing.chart();
    Exemptions.of(chart).add({ control: Controls.RBAC_SECRETS_READ, reason: 'the cert reloader reads exactly one TLS Secret' });
    new LeastPrivilegeServiceAccount(chart, 'account', {
      metadata: { namespace: 'shop' },
      permissions: [Permission.allow([Verb.GET], RbacResource.SECRETS).withResourceNames('shop-tls')],
    });
    const role = only(synth(chart), 'Role');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['shop-tls'], verbs: ['get'] }]);
    expect(role.metadata.annotations).toHaveProperty([`${EXEMPTION_PREFIX}rbac-secrets-read`]);
  });

  test('reading ephemeral containers and namespaces is not refused', () => {
    const { chart } = account({
      permissions: [Permission.read(RbacResource.PODS.withSubresource('ephemeralcontainers'))],
      clusterPermissions: [Permission.read(RbacResource.NAMESPACES)],
      exemptions: [{ control: Controls.RBAC_CLUSTER_SCOPE, reason: 'lists every namespace for the tenant dashboard' }],
    });
    expect(Guard.findings(chart).filter(f => f.status === FindingStatus.FAIL)).toEqual([]);
  });

  test('an expired exemption says it expired, when, and what to do (not "give an exemption")', () => {
    let message = '';
    try {
      account({
        permissions: [Permission.read(RbacResource.SECRETS)],
        exemptions: [{ control: Controls.RBAC_SECRETS_READ, reason: REASON, expires: '2001-01-31' }],
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('permissions[0] (get, list, watch on secrets) is refused by rbac-secrets-read: ');
    expect(message).toContain(`The exemption for rbac-secrets-read attached at [test/account] expired on 2001-01-31 (reason: ${REASON}): `
      + 'remove the grant, or review it and renew the exemption with a later expires date.');
    expect(message).not.toContain('To grant it anyway');
  });

  test('an exemption narrowed to another kind covers nothing here, as in the guard', () => {
    expect(() => account({
      permissions: [Permission.read(RbacResource.SECRETS)],
      exemptions: [{ control: Controls.RBAC_SECRETS_READ, reason: REASON, kind: 'Deployment' }],
    })).toThrow(/permissions\[0\] \(get, list, watch on secrets\) is refused by rbac-secrets-read: .*To grant it anyway/);
  });

  test('an exemption only covers its own control, and an expired one covers nothing', () => {
    const both = [Permission.read(RbacResource.SECRETS), Permission.allow([Verb.CREATE], RbacResource.PODS.withSubresource('exec'))];
    expect(() => account({ permissions: both, exemptions: [{ control: Controls.RBAC_SECRETS_READ, reason: REASON }] }))
      .toThrow(/1 dangerous grant\(s\) refused:\n {2}permissions\[1\] \(create on pods\/exec\) is refused by rbac-pod-exec/);
    expect(() => account({
      permissions: [Permission.read(RbacResource.SECRETS)],
      exemptions: [{ control: Controls.RBAC_SECRETS_READ, reason: REASON, expires: '2001-01-31' }],
    })).toThrow(/permissions\[0\] \(get, list, watch on secrets\) is refused by rbac-secrets-read/);
  });
});

describe('bad input fails at construction with the path, the field and the fix', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['not a permission', () => account({ permissions: [{ verbs: ['get'] } as any] }), /\[test\/account\] permissions\[0\]: .* is not a Permission/],
    ['no namespace', () => new LeastPrivilegeServiceAccount(Testing.chart(), 'account', { permissions: [Permission.read(RbacResource.PODS)] }),
      /\[test\/account\] metadata.namespace is not set \(and the chart has none\)/],
    ['token too short', () => account({ permissions: [Permission.read(RbacResource.PODS)], tokenExpiration: Duration.minutes(5) }),
      /tokenExpiration: 300 seconds is not a whole number of seconds from 600 .* to 86400/],
    ['token too long', () => account({ permissions: [Permission.read(RbacResource.PODS)], tokenExpiration: Duration.days(2) }),
      /tokenExpiration: 172800 seconds/],
    ['empty audience', () => account({ permissions: [Permission.read(RbacResource.PODS)], tokenAudience: ' ' }), /tokenAudience: " " is not an audience/],
  ])('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});

describe('clusterRolesInNamespace: existing ClusterRoles bound with RoleBindings in the account\'s namespace', () => {
  test('view: one RoleBinding in the namespace, to the ClusterRole, for the account; no Role, no ClusterRoleBinding', () => {
    const { chart, account: created } = account({ clusterRolesInNamespace: ['view'] });
    const manifests = synth(chart);
    const serviceAccount = only(manifests, 'ServiceAccount');
    const binding = only(manifests, 'RoleBinding');
    expect(manifests.map(m => m.kind).sort()).toEqual(['RoleBinding', 'ServiceAccount']);
    expect(binding).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: binding.metadata.name, namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: 'shop' }],
    });
    expect(created.roleBindingsToClusterRoles.map(b => b.name)).toEqual([binding.metadata.name]);
    expect(created.role).toBeUndefined();
    expect(created.apiAccessToken).toEqual({ audience: undefined, expirationSeconds: 3600 });
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('beside permissions: the Role, its binding, and one binding per ClusterRole in the order given', () => {
    const { chart, account: created } = account({
      permissions: [Permission.read(RbacResource.CONFIG_MAPS)],
      clusterRolesInNamespace: ['view', 'argo-workflows-view'],
    });
    const bindings = synth(chart).filter(m => m.kind === 'RoleBinding');
    expect(bindings.map(b => `${b.roleRef.kind}/${b.roleRef.name}`).sort()).toEqual(['ClusterRole/argo-workflows-view', 'ClusterRole/view', `Role/${created.role!.name}`]);
    expect(created.roleBindingsToClusterRoles.map(b => b.toJson().roleRef.name)).toEqual(['view', 'argo-workflows-view']);
  });

  test.each<[string, Control[], string]>([
    ['cluster-admin', [C.RBAC_CLUSTER_ADMIN], "binds ClusterRole 'cluster-admin'"],
    ['edit', [C.RBAC_SECRETS_READ, C.RBAC_POD_EXEC, C.RBAC_ESCALATION_VERBS, C.RBAC_TOKEN_CREATE],
      "binds the built-in ClusterRole 'edit', which grants get, list, watch on secrets"],
    ['admin', [C.RBAC_SECRETS_READ, C.RBAC_POD_EXEC, C.RBAC_ESCALATION_VERBS, C.RBAC_TOKEN_CREATE], "binds the built-in ClusterRole 'admin', which grants"],
  ])('%s is refused without an exemption, naming the entry and every control', (name, controls, finding) => {
    let message = '';
    try {
      account({ clusterRolesInNamespace: ['view', name] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`[test/account] ${controls.length} dangerous grant(s) refused:`);
    expect(message).toContain(`clusterRolesInNamespace[1] (ClusterRole '${name}') is refused by ${controls[0].id}: `);
    expect(message).toContain(finding);
    const refusedBy = [...message.matchAll(/is refused by ([a-z-]+):/g)].map(m => m[1]);
    expect(refusedBy.sort()).toEqual(controls.map(c => c.id).sort());
  });

  test.each<[string, Control[]]>([
    ['cluster-admin', [C.RBAC_CLUSTER_ADMIN]],
    ['edit', [C.RBAC_SECRETS_READ, C.RBAC_POD_EXEC, C.RBAC_ESCALATION_VERBS, C.RBAC_TOKEN_CREATE]],
  ])('%s is accepted with exemptions, recorded on the RoleBinding in the YAML', (name, controls) => {
    const { chart } = account({
      clusterRolesInNamespace: [name],
      exemptions: controls.map(control => ({ control, reason: REASON, ticket: 'SEC-9' })),
    });
    const binding = only(synth(chart), 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
    for (const control of controls) {
      expect(JSON.parse(binding.metadata.annotations[`${EXEMPTION_PREFIX}${control.id}`])).toEqual({ reason: REASON, ticket: 'SEC-9' });
    }
    const findings = Guard.findings(chart);
    expect(findings.filter(f => f.status === FindingStatus.FAIL && f.severity === Severity.ERROR)).toEqual([]);
    const exempted = [...new Set(findings.filter(f => f.status === FindingStatus.EXEMPT).map(f => f.controlId))];
    expect(exempted.sort()).toEqual(controls.map(c => c.id).sort());
    expect(Guard.unusedExemptions(chart)).toEqual([]);
  });

  test('edit also draws the rbac-create-pods warning in the guard\'s report', () => {
    const { chart } = account({
      clusterRolesInNamespace: ['edit'],
      exemptions: [C.RBAC_SECRETS_READ, C.RBAC_POD_EXEC, C.RBAC_ESCALATION_VERBS, C.RBAC_TOKEN_CREATE].map(control => ({ control, reason: REASON })),
    });
    synth(chart);
    expect(rbacFindings(chart).filter(f => f.status === FindingStatus.FAIL).map(f => [f.controlId, f.severity, f.pointer]))
      .toEqual([['rbac-create-pods', Severity.WARNING, '/roleRef/name']]);
  });

  test.each<[string, unknown, RegExp]>([
    ['not a list', 'view', /\[test\/account\] clusterRolesInNamespace: "view" is not a list; give a list of ClusterRole names/],
    ['an empty name', [''], /\[test\/account\] clusterRolesInNamespace\[0\]: "" is not a ClusterRole name/],
    ['null', [null], /clusterRolesInNamespace\[0\]: null is not a ClusterRole name/],
    ['a slash', ['a/b'], /clusterRolesInNamespace\[0\]: "a\/b" is not a ClusterRole name/],
    ['a duplicate', ['view', 'view'], /clusterRolesInNamespace\[1\]: 'view' is already listed at clusterRolesInNamespace\[0\]/],
    ['a Kubernetes component\'s role', ['system:node'], /clusterRolesInNamespace\[0\]: 'system:node' is a ClusterRole of a Kubernetes component/],
  ])('%s is refused', (_name, value, error) => {
    expect(() => account({ clusterRolesInNamespace: value as string[] })).toThrow(error);
  });

  test('without a namespace no binding can name the account', () => {
    expect(() => new LeastPrivilegeServiceAccount(Testing.chart(), 'account', { clusterRolesInNamespace: ['view'] }))
      .toThrow(/\[test\/account\] metadata.namespace is not set/);
  });
});

describe('props of the wrong shape are refused with the path, the field, the value and the fix', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['props null', () => new LeastPrivilegeServiceAccount(Testing.chart(), 'account', null as any), /\[test\/account\] props: null is not an object/],
    ['props a string', () => new LeastPrivilegeServiceAccount(Testing.chart(), 'account', 'x' as any), /\[test\/account\] props: "x" is not an object/],
    ['metadata a string', () => account({ metadata: 'shop' as any }), /\[test\/account\] metadata: "shop" is not an object/],
    ['exemptions not a list', () => account({ exemptions: { control: Controls.RBAC_SECRETS_READ, reason: REASON } as any }),
      /\[test\/account\] exemptions: \{.*\} is not a list; give a list of exemptions/],
    ['permissions not a list', () => account({ permissions: Permission.read(RbacResource.PODS) as any }), /\[test\/account\] permissions: .* is not a list/],
  ])('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});
