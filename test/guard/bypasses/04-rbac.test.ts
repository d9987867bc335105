import * as kplus from 'cdk8s-plus-27';
import { catalogue } from './harness';

const RBAC = 'rbac.authorization.k8s.io/v1';
const SUBJECTS = [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }];

function bindingTo(kind: 'RoleBinding' | 'ClusterRoleBinding', clusterRole: string): any {
  return {
    apiVersion: RBAC,
    kind,
    metadata: kind === 'RoleBinding' ? { name: 'innocent', namespace: 'shop' } : { name: 'innocent' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
    subjects: SUBJECTS,
  };
}

// Issue: RBAC through the back door. Rules the cluster fills in later, and roles the cluster ships.
catalogue('4. RBAC through the back door', [
  {
    name: 'a ClusterRole aggregating the bootstrap roles (cluster-admin once the controller fills it)',
    objects: [{
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'harmless-looking' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }] },
      rules: [],
    }],
    expect: /rbac-wildcard: ClusterRole harmless-looking \/aggregationRule: .*aggregationRule/,
  },
  {
    name: 'an aggregationRule with an empty selector (every ClusterRole of the cluster)',
    objects: [{ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'everything' }, aggregationRule: { clusterRoleSelectors: [{}] } }],
    expect: /rbac-wildcard: ClusterRole everything \/aggregationRule/,
  },
  {
    name: 'a cdk8s-plus ClusterRole built with aggregationLabels',
    guard: chart => {
      new kplus.ClusterRole(chart, 'aggregated', { metadata: { name: 'aggregated' }, aggregationLabels: { 'rbac.example.com/aggregate-to-ops': 'true' } });
    },
    only: 'guard',
    expect: /rbac-wildcard: ClusterRole aggregated \/aggregationRule/,
  },
  {
    name: 'a RoleBinding to system:aggregate-to-edit (edit\'s rules under another name)',
    objects: [bindingTo('RoleBinding', 'system:aggregate-to-edit')],
    expect: /rbac-system-roles: RoleBinding shop\/innocent \/roleRef\/name: .*'system:aggregate-to-edit'/,
  },
  {
    name: 'a RoleBinding to system:aggregate-to-admin',
    objects: [bindingTo('RoleBinding', 'system:aggregate-to-admin')],
    expect: /rbac-system-roles: .*'system:aggregate-to-admin'/,
  },
  {
    name: 'a ClusterRoleBinding to system:node',
    objects: [bindingTo('ClusterRoleBinding', 'system:node')],
    expect: /rbac-system-roles: ClusterRoleBinding innocent \/roleRef\/name: .*'system:node'/,
  },
  {
    name: 'a ClusterRoleBinding to system:controller:clusterrole-aggregation-controller (escalate on every ClusterRole)',
    objects: [bindingTo('ClusterRoleBinding', 'system:controller:clusterrole-aggregation-controller')],
    expect: /rbac-system-roles: .*'system:controller:clusterrole-aggregation-controller'/,
  },
  {
    name: 'a RoleBinding to system:kube-controller-manager',
    objects: [bindingTo('RoleBinding', 'system:kube-controller-manager')],
    expect: /rbac-system-roles: .*'system:kube-controller-manager'/,
  },
]);
