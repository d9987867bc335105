import { Permission, RbacResource, Verb } from '../../src';

describe('Permission helpers grant exactly what they say', () => {
  test('read is get, list, watch', () => {
    const permission = Permission.read(RbacResource.CONFIG_MAPS, RbacResource.DEPLOYMENTS);
    expect(permission.verbs).toEqual([Verb.GET, Verb.LIST, Verb.WATCH]);
    expect(permission.resources).toEqual([RbacResource.CONFIG_MAPS, RbacResource.DEPLOYMENTS]);
    expect(permission.resourceNames).toBeUndefined();
  });

  test('readWrite adds create, update, patch, delete: never deletecollection or *', () => {
    const permission = Permission.readWrite(RbacResource.CONFIG_MAPS);
    expect(permission.verbs).toEqual(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
    expect(permission.verbs).not.toContain(Verb.DELETECOLLECTION);
    expect(permission.verbs).not.toContain(Verb.ALL);
  });

  test('allow grants exactly its verbs, deduplicated, in Verb order; resources deduplicated in the order given', () => {
    const permission = Permission.allow([Verb.PATCH, Verb.GET, Verb.PATCH], RbacResource.SERVICES, RbacResource.PODS, RbacResource.SERVICES);
    expect(permission.verbs).toEqual([Verb.GET, Verb.PATCH]);
    expect(permission.resources).toEqual([RbacResource.SERVICES, RbacResource.PODS]);
    expect(permission.toString()).toBe('get, patch on services, pods');
  });

  test('withResourceNames narrows a copy to named objects (sorted, deduplicated)', () => {
    const all = Permission.read(RbacResource.CONFIG_MAPS);
    const named = all.withResourceNames('b-config', 'a-config', 'b-config');
    expect(named.resourceNames).toEqual(['a-config', 'b-config']);
    expect(named.verbs).toEqual(all.verbs);
    expect(all.resourceNames).toBeUndefined();
    expect(named.toString()).toBe('get, list, watch on configmaps ["a-config","b-config"]');
  });
});

describe('bad permissions fail where they are built, with the fix', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['no verbs', () => Permission.allow([], RbacResource.PODS), /Permission.allow: no verbs; name at least one, e.g. \[Verb.GET\]/],
    ['not a verb', () => Permission.allow(['steal' as Verb], RbacResource.PODS), /verb "steal" is not a Verb/],
    ['no resources', () => Permission.read(), /Permission.read: no resources; name at least one/],
    ['not a resource', () => Permission.read('pods' as any), /resources\[0\] is "pods", not an RbacResource/],
    ['names cannot restrict create', () => Permission.readWrite(RbacResource.CONFIG_MAPS).withResourceNames('app'),
      /RBAC cannot restrict create by name .* grant them in a separate permission without resourceNames/],
    ['names cannot restrict deletecollection', () => Permission.allow([Verb.DELETECOLLECTION], RbacResource.PODS).withResourceNames('x'),
      /cannot restrict deletecollection by name/],
    ['no names', () => Permission.read(RbacResource.CONFIG_MAPS).withResourceNames(), /no names/],
    ['bad name', () => Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('a/b'), /"a\/b" is not an object name/],
    ['names twice', () => Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('a').withResourceNames('b'), /already names \["a"\]/],
  ])('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});

describe('RbacResource', () => {
  test('static members name group, resource and scope', () => {
    expect([RbacResource.DEPLOYMENTS.group, RbacResource.DEPLOYMENTS.resource, RbacResource.DEPLOYMENTS.namespaced]).toEqual(['apps', 'deployments', true]);
    expect(RbacResource.NODES.namespaced).toBe(false);
    expect(RbacResource.PODS_LOG.ruleEntry).toBe('pods/log');
    expect(RbacResource.INGRESSES.toString()).toBe('ingresses (networking.k8s.io)');
  });

  test('subresources and custom resources', () => {
    const scale = RbacResource.DEPLOYMENTS.withSubresource('scale');
    expect([scale.group, scale.ruleEntry, scale.namespaced]).toEqual(['apps', 'deployments/scale', true]);
    expect(RbacResource.NODES.withSubresource('metrics').namespaced).toBe(false);
    const certificates = RbacResource.custom('cert-manager.io', 'certificates');
    expect([certificates.group, certificates.ruleEntry, certificates.namespaced]).toEqual(['cert-manager.io', 'certificates', true]);
    expect(RbacResource.custom('cert-manager.io', 'certificates', 'status').ruleEntry).toBe('certificates/status');
    expect(RbacResource.customClusterScoped('cert-manager.io', 'clusterissuers').namespaced).toBe(false);
  });

  test.each<[string, () => unknown, RegExp]>([
    ['bad group', () => RbacResource.custom('Cert_Manager', 'certificates'), /group "Cert_Manager" is not an API group/],
    ['bad resource', () => RbacResource.custom('', 'Pods'), /resource "Pods" is not a resource name/],
    ['resource with a slash', () => RbacResource.custom('', 'pods/exec'), /resource "pods\/exec" is not a resource name/],
    ['bad subresource', () => RbacResource.custom('', 'pods', 'Exec'), /subresource "Exec" is not a resource name/],
    ['subresource of a subresource', () => RbacResource.PODS_LOG.withSubresource('x'), /already is a subresource/],
  ])('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});
