import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { catalogue, compliantPodSpec } from './harness';
import { HardenedDeployment, LeastPrivilegeServiceAccount, Permission, RbacResource } from '../../../src';

const DIGEST_IMAGE = 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

/** The projected volume LeastPrivilegeServiceAccount writes, byte for byte: the shape alone proves nothing. */
function libraryShapedVolume(expirationSeconds = 3600): any {
  return {
    name: 'kube-api-access',
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** A pod that passes every control (automountServiceAccountToken: false), plus a projected token volume. */
function podWithProjectedToken(serviceAccountName: string): any {
  const spec = compliantPodSpec();
  spec.serviceAccountName = serviceAccountName;
  spec.volumes = [libraryShapedVolume()];
  spec.containers[0].volumeMounts = [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }];
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sneaky', namespace: 'shop', labels: { app: 'sneaky' } }, spec };
}

/** Isolates the `shop` namespace, so the pods fail nothing but what the attempt is about. */
const DEFAULT_DENY = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};

function accountWithPermissions(chart: Chart, name: string): LeastPrivilegeServiceAccount {
  return new LeastPrivilegeServiceAccount(chart, 'account', { metadata: { name, namespace: 'shop' }, permissions: [Permission.read(RbacResource.CONFIG_MAPS)] });
}

// Issue: the token through the side door. automountServiceAccountToken: false, and a token mounted anyway.
catalogue('6. the token through the side door', [
  {
    name: 'automountServiceAccountToken: false and a projected serviceAccountToken volume',
    objects: [DEFAULT_DENY, podWithProjectedToken('web')],
    expect: /service-account-token: Pod shop\/sneaky \/spec\/volumes\/0\/projected\/sources\/0\/serviceAccountToken: .*projects an API token of ServiceAccount 'web'/,
  },
  {
    name: 'the library\'s exact volume shape next to a ServiceAccount carrying the library\'s mark',
    objects: [DEFAULT_DENY, podWithProjectedToken('web'), {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' } },
      automountServiceAccountToken: false,
    }],
    expect: /service-account-token: Pod shop\/sneaky \/spec\/volumes\/0\/projected\/sources\/0\/serviceAccountToken/,
  },
  {
    name: 'a projected token for the namespace\'s default account',
    objects: [DEFAULT_DENY, podWithProjectedToken('default')],
    expect: /service-account-token: Pod shop\/sneaky \/spec\/serviceAccountName: .*token .*ServiceAccount 'default'/,
  },
  {
    name: 'a projected token added to a HardenedDeployment by a JSON patch',
    guard: chart => {
      const web = new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
      ApiObject.of(web).addJsonPatch(JsonPatch.add('/spec/template/spec/volumes/-', libraryShapedVolume()));
    },
    protect: false,
    only: 'guard',
    expect: /service-account-token: Deployment shop\/.* \/spec\/template\/spec\/volumes\/1\/projected\/sources\/0\/serviceAccountToken/,
  },
  {
    name: 'the library\'s own token stretched to a year by a JSON patch',
    guard: chart => {
      const account = accountWithPermissions(chart, 'web');
      const web = new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, serviceAccount: account, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
      ApiObject.of(web).addJsonPatch(JsonPatch.replace('/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken/expirationSeconds', 31536000));
    },
    protect: false,
    only: 'guard',
    expect: /service-account-token: Deployment shop\/.* \/spec\/template\/spec\/volumes\/0\/projected\/sources\/0\/serviceAccountToken/,
  },
  {
    name: 'a LeastPrivilegeServiceAccount named default, its token mounted by a HardenedDeployment',
    guard: chart => {
      const account = accountWithPermissions(chart, 'default');
      new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, serviceAccount: account, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    },
    protect: false,
    only: 'guard',
    expect: /service-account-token: Deployment shop\/.* \/spec\/template\/spec\/serviceAccountName: .*'default'/,
  },
]);
