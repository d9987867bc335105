import { PssVersion } from '../../../src/controls/core/pss-version';
import { entriesOf, grantOf, grants, isBinding, isRole, rbacObjectLabel, rulesOf } from '../../../src/controls/core/rbac-rules';
import { RbacPodExec } from '../../../src/controls/rbac-pod-exec';
import { RbacSecretsRead } from '../../../src/controls/rbac-secrets-read';
import { RbacWildcard } from '../../../src/controls/rbac-wildcard';

const SECRETS_READ = { group: '', resource: 'secrets', verbs: ['get', 'list', 'watch'] };
const POD_EXEC = { group: '', resource: 'pods', subresource: 'exec' };
const context = { pssVersion: PssVersion.V1_27 };

describe('grants', () => {
  test.each([
    ['exact rule', { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, SECRETS_READ, true],
    ['other resource', { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }, SECRETS_READ, false],
    ['other verbs', { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'update'] }, SECRETS_READ, false],
    ['other group', { apiGroups: ['apps'], resources: ['secrets'], verbs: ['get'] }, SECRETS_READ, false],
    ['verbs *', { apiGroups: [''], resources: ['secrets'], verbs: ['*'] }, SECRETS_READ, true],
    ['resources *', { apiGroups: [''], resources: ['*'], verbs: ['list'] }, SECRETS_READ, true],
    ['apiGroups *', { apiGroups: ['*'], resources: ['secrets'], verbs: ['watch'] }, SECRETS_READ, true],
    ['resourceNames do not make it safe', { apiGroups: [''], resources: ['secrets'], resourceNames: ['one'], verbs: ['get'] }, SECRETS_READ, true],
    ['names are case-sensitive', { apiGroups: [''], resources: ['Secrets'], verbs: ['GET'] }, SECRETS_READ, false],
    ['no apiGroups (invalid) grants nothing', { resources: ['secrets'], verbs: ['get'] }, SECRETS_READ, false],
    ['no verbs grants nothing', { apiGroups: [''], resources: ['secrets'] }, SECRETS_READ, false],
    ['nonResourceURLs only', { nonResourceURLs: ['*'], verbs: ['get'] }, SECRETS_READ, false],
    ['a lone string is read as a list', { apiGroups: '', resources: 'secrets', verbs: 'get' }, SECRETS_READ, true],
    ['malformed rule', 'secrets', SECRETS_READ, false],
    ['null rule', null, SECRETS_READ, false],
    // Subresources.
    ['subresource exact', { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }, POD_EXEC, true],
    ['any verb counts when none is asked', { apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }, POD_EXEC, true],
    ['parent resource does not grant the subresource', { apiGroups: [''], resources: ['pods'], verbs: ['*'] }, POD_EXEC, false],
    ['*/subresource', { apiGroups: [''], resources: ['*/exec'], verbs: ['create'] }, POD_EXEC, true],
    ['resource/* is not honoured by RBAC', { apiGroups: [''], resources: ['pods/*'], verbs: ['create'] }, POD_EXEC, false],
    ['resources * grants subresources', { apiGroups: [''], resources: ['*'], verbs: ['get'] }, POD_EXEC, true],
    ['other subresource', { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }, POD_EXEC, false],
    ['empty verbs list', { apiGroups: [''], resources: ['pods/exec'], verbs: [] }, POD_EXEC, false],
    // Any subresource.
    ['any subresource: resource/x', { apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'], verbs: ['impersonate'] },
      { group: 'authentication.k8s.io', resource: 'userextras', subresource: '*', verbs: ['impersonate'] }, true],
    ['any subresource: */x', { apiGroups: ['authentication.k8s.io'], resources: ['*/scopes'], verbs: ['impersonate'] },
      { group: 'authentication.k8s.io', resource: 'userextras', subresource: '*', verbs: ['impersonate'] }, true],
    ['any subresource: not the resource itself', { apiGroups: ['authentication.k8s.io'], resources: ['userextras'], verbs: ['impersonate'] },
      { group: 'authentication.k8s.io', resource: 'userextras', subresource: '*', verbs: ['impersonate'] }, false],
  ])('%s', (_name, rule, access, expected) => {
    expect(grants(rule, access)).toBe(expected);
  });

  test('reports the granted verbs, the matching entry and resourceNames', () => {
    expect(grantOf({ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'create', 'list'] }, SECRETS_READ))
      .toEqual({ verbs: ['get', 'list'], resourceIndex: 1, resourceEntry: 'secrets', resourceNames: undefined });
    expect(grantOf({ apiGroups: [''], resources: ['*'], resourceNames: ['a', 7], verbs: ['*'] }, SECRETS_READ))
      .toEqual({ verbs: ['get', 'list', 'watch'], resourceIndex: 0, resourceEntry: '*', resourceNames: ['a'] });
    expect(grantOf({ apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] }, POD_EXEC)?.verbs).toEqual(['get', 'create']);
  });
});

describe('manifest helpers', () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'ns' }, rules: [{ verbs: ['get'] }, 'bad', null] };

  test('kinds are recognised only in the RBAC group', () => {
    expect(isRole(role)).toBe(true);
    expect(isRole({ ...role, kind: 'ClusterRole' })).toBe(true);
    expect(isRole({ ...role, apiVersion: 'v1' })).toBe(false);
    expect(isRole({ ...role, apiVersion: 'example.com/v1' })).toBe(false);
    expect(isBinding({ ...role, kind: 'RoleBinding' })).toBe(true);
    expect(isBinding({ ...role, kind: 'ClusterRoleBinding' })).toBe(true);
    expect(isBinding(role)).toBe(false);
    expect(isRole(null)).toBe(false);
  });

  test('rules keep their index and skip non-objects', () => {
    expect(rulesOf(role)).toEqual([{ rule: { verbs: ['get'] }, index: 0, pointer: '/rules/0' }]);
    expect(rulesOf({ rules: 'x' })).toEqual([]);
  });

  test('entries keep their index and skip non-strings', () => {
    expect(entriesOf(['a', 1, 'b'])).toEqual([{ index: 0, value: 'a' }, { index: 2, value: 'b' }]);
    expect(entriesOf(undefined)).toEqual([]);
  });

  test('labels name the namespace when there is one', () => {
    expect(rbacObjectLabel(role)).toBe("Role 'ns/r'");
    expect(rbacObjectLabel({ kind: 'ClusterRole', metadata: { name: 'c' } })).toBe("ClusterRole 'c'");
  });
});

describe('rule controls', () => {
  const roleWith = (rules: any) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' }, rules });

  test('one finding per resources entry, pointing at it', () => {
    const violations = new RbacPodExec().check(roleWith([
      { apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/attach'], verbs: ['create'] },
      { apiGroups: ['*'], resources: ['*'], verbs: ['get'] },
    ]), context);
    expect(violations.map(v => v.pointer)).toEqual(['/rules/0/resources/1', '/rules/0/resources/2', '/rules/1/resources/0']);
    expect(violations[2].message).toContain("through resources '*'");
  });

  test('resourceNames are named in the message', () => {
    const [v] = new RbacSecretsRead().check(roleWith([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get'] }]), context);
    expect(v.message).toContain('resourceNames ["db"]');
  });

  test('malformed roles do not throw', () => {
    for (const rules of [undefined, null, 'x', [null, 1, { verbs: 'x' }], [{ apiGroups: [1], resources: {}, verbs: [null] }]]) {
      expect(() => new RbacSecretsRead().check(roleWith(rules), context)).not.toThrow();
      expect(() => new RbacWildcard().check(roleWith(rules), context)).not.toThrow();
    }
  });

  test('wildcards are found in every field, lone strings included', () => {
    const violations = new RbacWildcard().check(roleWith([
      { apiGroups: ['*'], resources: ['pods/*'], verbs: '*' },
      { nonResourceURLs: ['/healthz', '/api/*'], verbs: ['get'] },
    ]), context);
    expect(violations.map(v => v.pointer)).toEqual(['/rules/0/verbs', '/rules/0/apiGroups/0', '/rules/0/resources/0', '/rules/1/nonResourceURLs/1']);
  });
});
