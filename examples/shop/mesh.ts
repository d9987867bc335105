import { Mesh, MeshMode } from '../../src';

/**
 * The shop runs in an Istio mesh (sidecar mode; the cluster runs the Istio CNI plugin, so the injected pods need no
 * NET_ADMIN under the restricted Pod Security Standard). Every declared connection is then also an AuthorizationPolicy
 * ALLOW rule naming the caller's ServiceAccount, the namespace requires mTLS, and anything undeclared is denied by
 * both layers. The ingress controller is not in the mesh: the frontend accepts plain text on 8080 only.
 */
export const SHOP_MESH = Mesh.istio({ mode: MeshMode.SIDECAR });
