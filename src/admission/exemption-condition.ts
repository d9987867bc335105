import { AdmissionExemption } from './admission-exemption';
import { celString, celStrings } from '../controls/core/cel';
import { Control } from '../controls/core/control';
import { POD_RUNNING_KINDS } from '../controls/core/pod-template';

// How an in-cluster exemption is checked and written as CEL (not part of the public API).

/** API groups of the kinds an exemption may name without `apiGroup`. */
const BUILT_IN_GROUPS: Record<string, string> = {
  ...POD_RUNNING_KINDS,
  Service: '',
  ServiceAccount: '',
  Namespace: '',
  Secret: '',
  ConfigMap: '',
  Role: 'rbac.authorization.k8s.io',
  ClusterRole: 'rbac.authorization.k8s.io',
  RoleBinding: 'rbac.authorization.k8s.io',
  ClusterRoleBinding: 'rbac.authorization.k8s.io',
  Ingress: 'networking.k8s.io',
  NetworkPolicy: 'networking.k8s.io',
};

/** The kube-controller-manager identity (one shared user, or one service account per controller). */
function controllerUsers(controller: string): string[] {
  return ['system:kube-controller-manager', `system:serviceaccount:kube-system:${controller}`];
}

/**
 * The objects the built-in controllers create from an exempted workload, as (child kind, owner kind, owner name
 * pattern, controller): a Deployment's ReplicaSets are `<name>-<hash>`, a CronJob's Jobs `<name>-<scheduled time>`.
 * Without these, exempting a Deployment would admit it and refuse every pod it asks for.
 */
function childrenOf(kind: string, name: string): Array<{ group: string; kind: string; ownerKind: string; ownerName: string; controller: string }> {
  const exact = `^${escapeRegex(name)}$`;
  const pod = (ownerKind: string, ownerName: string, controller: string) => ({ group: '', kind: 'Pod', ownerKind, ownerName, controller });
  switch (kind) {
    case 'Deployment':
      return [
        { group: 'apps', kind: 'ReplicaSet', ownerKind: 'Deployment', ownerName: exact, controller: 'deployment-controller' },
        pod('ReplicaSet', `^${escapeRegex(name)}-[a-z0-9]+$`, 'replicaset-controller'),
      ];
    case 'ReplicaSet': return [pod('ReplicaSet', exact, 'replicaset-controller')];
    case 'StatefulSet': return [pod('StatefulSet', exact, 'statefulset-controller')];
    case 'DaemonSet': return [pod('DaemonSet', exact, 'daemon-set-controller')];
    case 'ReplicationController': return [pod('ReplicationController', exact, 'replication-controller')];
    case 'Job': return [pod('Job', exact, 'job-controller')];
    case 'CronJob':
      return [
        { group: 'batch', kind: 'Job', ownerKind: 'CronJob', ownerName: exact, controller: 'cronjob-controller' },
        pod('Job', `^${escapeRegex(name)}-[0-9]+$`, 'job-controller'),
      ];
    default: return [];
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Checks an exemption's fields; `where` names it in errors (e.g. `AdmissionGuardrails guardrails: exemptions[2]`). */
export function validateAdmissionExemption(where: string, exemption: AdmissionExemption): void {
  if (!(exemption?.control instanceof Control)) {
    throw new Error(`${where}: control is ${typeof exemption?.control}; name a catalog control, e.g. Controls.HOST_PATH_VOLUMES`);
  }
  const about = `${where} (${exemption.control.id})`;
  if (!exemption.control.exemptable) {
    throw new Error(`${about}: ${exemption.control.id} cannot be exempted; ${exemption.control.remediation}`);
  }
  for (const field of ['kind', 'name', 'reason'] as const) {
    const value = exemption[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`${about}: ${field} ${JSON.stringify(value)} is empty; an in-cluster exemption names one object exactly `
        + '(kind, objectNamespace, name) and says why');
    }
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(exemption.name)) {
    throw new Error(`${about}: name ${JSON.stringify(exemption.name)} is not an object name; give the exact metadata.name (no patterns)`);
  }
  if (exemption.objectNamespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(exemption.objectNamespace)) {
    throw new Error(`${about}: objectNamespace ${JSON.stringify(exemption.objectNamespace)} is not a namespace name; give the exact namespace, `
      + 'or leave it out for a cluster-scoped object');
  }
  if (exemption.apiGroup === undefined && !(exemption.kind in BUILT_IN_GROUPS)) {
    throw new Error(`${about}: kind ${JSON.stringify(exemption.kind)} is not a built-in kind; give its apiGroup too`);
  }
}

/**
 * The CEL condition true exactly for the exempted object (by API group, kind, namespace and name) and for the
 * objects the built-in controllers create from it, created by those controllers (whose identities tenants do not have).
 */
export function exemptionCondition(exemption: AdmissionExemption): string {
  const group = exemption.apiGroup ?? BUILT_IN_GROUPS[exemption.kind];
  const namespace = celString(exemption.objectNamespace ?? '');
  const self = `(request.kind.group == ${celString(group)} && request.kind.kind == ${celString(exemption.kind)}`
    + ` && request.namespace == ${namespace} && object.metadata.name == ${celString(exemption.name)})`;
  const children = childrenOf(exemption.kind, exemption.name).map(child =>
    `(request.kind.group == ${celString(child.group)} && request.kind.kind == ${celString(child.kind)} && request.namespace == ${namespace}`
    + ` && request.userInfo.username in ${celStrings(controllerUsers(child.controller))}`
    + ` && object.metadata.?ownerReferences.orValue([]).exists(o, o.kind == ${celString(child.ownerKind)}`
    + ` && o.?controller.orValue(false) && o.name.matches(${celString(child.ownerName)})))`);
  return [self, ...children].join(' || ');
}
