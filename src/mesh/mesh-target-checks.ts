import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { inboundBypass } from './capture-bypass';
import { Mesh } from './mesh';
import { TargetAuthorization } from './mesh-rules';
import { podOf, podsOf } from '../controls/core/pod-template';
import { allJsonByNamespace } from '../namespaces/workload-usage';
import { WorkloadConnections } from '../network/workload-connections';

/* Internal: checks of a meshed namespace's targets over the app's final JSON, run at validation (not part of the jsii API). */

/**
 * One line per declared TCP port of the target that the pod's annotations leave uncaptured: the mesh would neither
 * require mTLS nor apply the AuthorizationPolicy there, so only the NetworkPolicy would stand.
 */
export function bypassedTargetPorts(mesh: Mesh, target: kplus.AbstractPod, compiled: TargetAuthorization): string[] {
  const ports = new Set<number>(compiled.permissivePorts);
  compiled.rules.forEach(r => r.to.forEach(t => t.operation.ports.forEach(p => ports.add(Number(p)))));
  let annotations: unknown;
  try {
    annotations = podOf(ApiObject.of(target).toJson())?.metadata?.annotations;
  } catch {
    return []; // an object that cannot serialize fails synthesis on its own
  }
  const mode = mesh.mode.value === 'ambient' ? 'ambient' : 'sidecar';
  const errors: string[] = [];
  for (const port of [...ports].sort((a, b) => a - b)) {
    const why = inboundBypass(annotations, port, mode);
    if (why === undefined) continue;
    errors.push(`[${target.node.path}] mesh: declared port ${port} of the workload is not captured by the mesh (pod template ${why}), `
      + 'so neither STRICT mTLS nor its AuthorizationPolicy protect it and any pod the NetworkPolicy admits reaches it in plain text; '
      + 'remove that annotation (or that port from it), or move the workload to a namespace without mesh');
  }
  return errors;
}

/**
 * One line per pod template of the app, outside cdk8s-plus (a KubeDeployment, any ApiObject), that runs as the
 * ServiceAccount of a workload this target admits by principal: it presents the same principal, so the target's
 * ALLOW rule would admit it too. (cdk8s-plus workloads sharing an account are reported by compileTarget.)
 */
export function rawObjectsSharingSourceAccounts(target: kplus.AbstractPod): string[] {
  const root = target.node.root;
  const errors: string[] = [];
  const plusObjects = new Set<IConstruct>(root.node.findAll()
    .filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod).map(w => ApiObject.of(w)));
  const seen = new Set<kplus.AbstractPod>();
  for (const declared of WorkloadConnections.of(target)._declaredIngress()) {
    const spec = declared.peer._spec;
    if (spec.kind !== 'workload' || seen.has(spec.workload)) continue;
    const source = spec.workload;
    seen.add(source);
    const namespace = source.metadata.namespace;
    const account = source.serviceAccount?.name;
    if (namespace === undefined || account === undefined || account === 'default') continue; // refused by compileTarget
    for (const { object, json } of allJsonByNamespace(root).get(namespace) ?? []) {
      if (plusObjects.has(object)) continue;
      for (const pod of podsOf(json)) {
        const runsAs = pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount;
        if (runsAs !== account) continue;
        errors.push(`${declared.origin}: mesh: the peer ${source.node.path} runs as ServiceAccount '${account}' of namespace `
          + `'${namespace}', and so does ${json.kind} '${json.metadata?.name}' (${object.node.path}, ${pod.specPointer}/serviceAccountName): `
          + `it presents the same principal, so ${target.node.path}'s ALLOW rule would admit it too; give each workload a ServiceAccount `
          + 'of its own');
      }
    }
  }
  return errors;
}
