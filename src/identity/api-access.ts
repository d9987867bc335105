import * as kplus from 'cdk8s-plus-27';

/**
 * The Kubernetes API token that pods using a service account mount: a projected, short-lived,
 * audience-bound `serviceAccountToken`, refreshed by the kubelet.
 */
export interface ApiAccessToken {
  /**
   * Intended audience of the token (the projection's `audience`).
   * @default - the API server's own audiences (its `--api-audiences`), like the token Kubernetes automounts
   */
  readonly audience?: string;
  /** Lifetime of the token in seconds (the projection's `expirationSeconds`); the kubelet renews it at 80%. */
  readonly expirationSeconds: number;
}

/**
 * A service account that tells the hardened workloads using it whether their pods reach the Kubernetes API.
 *
 * A hardened workload whose `serviceAccount` has an `apiAccessToken` keeps `automountServiceAccountToken: false`
 * and instead mounts a projected volume, read-only in every container, at
 * `/var/run/secrets/kubernetes.io/serviceaccount`: the token, the cluster CA (`ca.crt` of the `kube-root-ca.crt`
 * ConfigMap) and the pod's namespace, the files Kubernetes client libraries read. Without one, the pod gets no token.
 * `LeastPrivilegeServiceAccount` implements it.
 */
export interface IApiAccessServiceAccount extends kplus.IServiceAccount {
  /**
   * The token pods using this account mount.
   * @default - none: pods get no token at all
   */
  readonly apiAccessToken?: ApiAccessToken;
}
