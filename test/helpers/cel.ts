import { execFileSync } from 'child_process';
import * as path from 'path';

/** One evaluation of one policy on one object (a CREATE request by `request.userInfo.username`). */
export interface CelCase {
  /** Key into the policies given with the cases. */
  readonly policy: string;
  readonly object: any;
  readonly request: any;
}

/** What the policy did: admitted, refused (with the failed messages), or skipped (a matchCondition was false). */
export interface CelResult {
  readonly verdict: 'admit' | 'deny' | 'skip';
  readonly failed: string[];
}

/**
 * Evaluates ValidatingAdmissionPolicy specs with @marcbachmann/cel-js in a child node process (test/helpers/cel-eval.mjs):
 * cel-js is ESM-only and jest runs CommonJS, so it cannot be required here. One process for all the cases.
 */
export function evaluateCel(policies: Record<string, any>, cases: CelCase[]): CelResult[] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'cel-eval.mjs')], {
    input: JSON.stringify({ policies, cases }),
    maxBuffer: 1024 * 1024 * 1024,
    encoding: 'utf-8',
  });
  return JSON.parse(output);
}

/** The admission request of a CREATE of `object` by `username` (a tenant, unless a controller identity is given). */
export function createRequest(object: any, username = 'tenant-developer'): any {
  const apiVersion: string = object?.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return {
    kind: { group, version, kind: object?.kind },
    namespace: object?.metadata?.namespace ?? '',
    name: object?.metadata?.name ?? '',
    operation: 'CREATE',
    userInfo: { username },
  };
}

const RESOURCE_OF_KIND: Record<string, string> = {
  Pod: 'pods',
  ReplicationController: 'replicationcontrollers',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  Service: 'services',
  Namespace: 'namespaces',
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  Secret: 'secrets',
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  ClusterRole: 'clusterroles',
  RoleBinding: 'rolebindings',
  ClusterRoleBinding: 'clusterrolebindings',
  PodTemplate: 'podtemplates',
};

/** Whether the policy's matchConstraints select the object's kind (API group and resource). */
export function policyMatches(policy: any, object: any): boolean {
  const request = createRequest(object);
  const resource = RESOURCE_OF_KIND[object?.kind];
  if (!resource) return false;
  return (policy.spec.matchConstraints.resourceRules as any[]).some(rule =>
    rule.apiGroups.includes(request.kind.group) && rule.resources.includes(resource) && rule.operations.includes('CREATE'));
}
