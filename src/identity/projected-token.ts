import * as kplus from 'cdk8s-plus-27';
import { ApiAccessToken } from './api-access';
import { Controls } from '../controls/controls';
import { ExemptionProps } from '../guard/exemption';

// Internal (not exported from the package): how a hardened pod mounts its service account's API token.

/** Where Kubernetes client libraries (client-go, the Python and Java clients...) look for the in-cluster token. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The projected volume's name: the prefix of the volume the kubelet would have automounted. */
export const API_ACCESS_VOLUME = 'kube-api-access';
/** The ConfigMap every namespace holds with the cluster's root CA (published by kube-controller-manager). */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
/** The file mode the kubelet gives the automounted files (0644). */
const FILE_MODE = 0o644;

/** The token the account asks for, or undefined (no token at all) for any account that does not implement it. */
export function apiAccessTokenOf(account: kplus.IServiceAccount | undefined): ApiAccessToken | undefined {
  const token = (account as { apiAccessToken?: ApiAccessToken } | undefined)?.apiAccessToken;
  return token && typeof token.expirationSeconds === 'number' ? token : undefined;
}

/** The projected volume: token, cluster CA and namespace, laid out as the automounted volume is. */
export function apiAccessVolume(token: ApiAccessToken): kplus.k8s.Volume {
  return {
    name: API_ACCESS_VOLUME,
    projected: {
      defaultMode: FILE_MODE,
      sources: [
        {
          serviceAccountToken: {
            path: 'token',
            expirationSeconds: token.expirationSeconds,
            ...(token.audience === undefined ? {} : { audience: token.audience }),
          },
        },
        { configMap: { name: ROOT_CA_CONFIG_MAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/**
 * The exemption of `service-account-token` for the token volume `withApiAccessToken` writes, for the pod spec at
 * `specPointer` of the workload object: pinned to the volume's exact JSON at index 0, so a volume added, moved or
 * changed by a JSON patch (another audience, a longer lifetime) is not covered. It never covers the finding of a
 * token mounted for the `default` account (at serviceAccountName). Manifest JSON cannot show who wrote a volume;
 * this exemption, given in code where the library writes the volume, is what does.
 */
export function tokenExemption(accountName: string, specPointer: string, token: ApiAccessToken): ExemptionProps {
  return {
    control: Controls.SERVICE_ACCOUNT_TOKEN,
    reason: `API token of LeastPrivilegeServiceAccount '${accountName}', projected by cdk8s-hardened: read-only, `
      + `valid ${token.expirationSeconds} seconds, bound to the permissions given to the account`,
    pointer: `${specPointer}/volumes/0`,
    pointerValue: kplus.k8s.toJson_Volume(apiAccessVolume(token)),
  };
}

/**
 * The pod spec with the account's API token mounted read-only in every container and init container
 * (`automountServiceAccountToken` is left as it is: false on hardened pods); unchanged when there is no token.
 */
export function withApiAccessToken(where: string, spec: kplus.k8s.PodSpec, token: ApiAccessToken | undefined): kplus.k8s.PodSpec {
  if (!token) return spec;
  if ((spec.volumes ?? []).some(v => v.name === API_ACCESS_VOLUME)) {
    throw new Error(`${where}: a volume is already named '${API_ACCESS_VOLUME}', the name of the service account's API token volume; rename it`);
  }
  const mount = { name: API_ACCESS_VOLUME, mountPath: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true };
  const withMount = (list: string) => (c: kplus.k8s.Container, index: number): kplus.k8s.Container => {
    const clash = (c.volumeMounts ?? []).find(m => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH);
    if (clash) {
      throw new Error(`${where} ${list}[${index}] '${c.name}': volume '${clash.name}' is mounted at ${SERVICE_ACCOUNT_MOUNT_PATH}, where the `
        + 'service account\'s API token is mounted; mount it elsewhere');
    }
    return { ...c, volumeMounts: [...c.volumeMounts ?? [], mount] };
  };
  return {
    ...spec,
    containers: spec.containers.map(withMount('containers')),
    initContainers: spec.initContainers?.map(withMount('initContainers')),
    // First, so the guard's exemption for it (tokenExemption) can name it by a pointer no later volume moves.
    volumes: [apiAccessVolume(token), ...spec.volumes ?? []],
  };
}
