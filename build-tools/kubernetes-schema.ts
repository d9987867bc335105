// Generates data/kubernetes-1.27-schema.json, the compact Kubernetes 1.27 schema the
// `kubernetes-schema` control validates built-in objects against. Run by hand when the pinned version changes:
//
//   ts-node --project test/tsconfig.json build-tools/kubernetes-schema.ts <_definitions.json> <source commit>
//
// Source: cdk8s-team/cdk8s, kubernetes-schemas/v1.27.0/_definitions.json, the JSON-schema form of the
// Kubernetes 1.27.0 OpenAPI definitions that `cdk8s import k8s@1.27.0` reads, i.e. the very document the
// cdk8s-plus-27 L1 types (kplus.k8s) were generated from. IntOrString and Quantity are `oneOf` there
// (integer-or-string, number-or-string), as the API server decodes them.
//
// That document carries no field enums (the upstream swagger.json's `enum` lists were not kept), so the enums
// below are added by hand: each is a Go `+enum` type of k8s.io/api v0.27 whose constants are listed in the
// Kubernetes 1.27 API reference. Only fields whose value the API server validates against a closed set are here.
//
// The output keeps only what validation reads (type, properties, items, additionalProperties, required, $ref,
// enum, oneOf), with keys sorted, so a regeneration diff shows real changes only. Descriptions and formats are
// dropped (int32/int64 ranges are not checked).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const [input, commit] = process.argv.slice(2);
if (!input || !/^[0-9a-f]{40}$/.test(commit ?? '')) {
  throw new Error('usage: kubernetes-schema.ts <path to kubernetes-schemas/v1.27.0/_definitions.json> <40-hex cdk8s commit>');
}
const text = fs.readFileSync(input, 'utf-8');
const definitions: Record<string, any> = JSON.parse(text).definitions;

/** definition name -> property -> allowed values (Kubernetes 1.27). */
const ENUMS: Record<string, Record<string, string[]>> = {
  'io.k8s.api.core.v1.Container': {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['FallbackToLogsOnError', 'File'],
  },
  'io.k8s.api.core.v1.EphemeralContainer': {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['FallbackToLogsOnError', 'File'],
  },
  'io.k8s.api.core.v1.PodSpec': {
    restartPolicy: ['Always', 'Never', 'OnFailure'],
    dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    preemptionPolicy: ['Never', 'PreemptLowerPriority'],
  },
  'io.k8s.api.core.v1.ContainerPort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.core.v1.ServicePort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.core.v1.EndpointPort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.core.v1.ServiceSpec': {
    type: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    sessionAffinity: ['ClientIP', 'None'],
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
    ipFamilyPolicy: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
  },
  'io.k8s.api.core.v1.HTTPGetAction': { scheme: ['HTTP', 'HTTPS'] },
  'io.k8s.api.core.v1.SeccompProfile': { type: ['Localhost', 'RuntimeDefault', 'Unconfined'] },
  'io.k8s.api.core.v1.Toleration': {
    operator: ['Equal', 'Exists'],
    effect: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'],
  },
  'io.k8s.api.core.v1.NodeSelectorRequirement': { operator: ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] },
  'io.k8s.api.core.v1.TopologySpreadConstraint': {
    whenUnsatisfiable: ['DoNotSchedule', 'ScheduleAnyway'],
    nodeAffinityPolicy: ['Honor', 'Ignore'],
    nodeTaintsPolicy: ['Honor', 'Ignore'],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': { volumeMode: ['Block', 'Filesystem'] },
  'io.k8s.api.apps.v1.DeploymentStrategy': { type: ['Recreate', 'RollingUpdate'] },
  'io.k8s.api.apps.v1.StatefulSetSpec': { podManagementPolicy: ['OrderedReady', 'Parallel'] },
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy': { type: ['OnDelete', 'RollingUpdate'] },
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': { type: ['OnDelete', 'RollingUpdate'] },
  'io.k8s.api.batch.v1.CronJobSpec': { concurrencyPolicy: ['Allow', 'Forbid', 'Replace'] },
  'io.k8s.api.batch.v1.JobSpec': { completionMode: ['Indexed', 'NonIndexed'] },
  'io.k8s.api.networking.v1.HTTPIngressPath': { pathType: ['Exact', 'ImplementationSpecific', 'Prefix'] },
};

const KEPT = ['$ref', 'additionalProperties', 'enum', 'items', 'oneOf', 'properties', 'required', 'type'];

function compact(schema: any): any {
  if (Array.isArray(schema)) return schema.map(compact);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const key of KEPT.filter(k => k in schema)) {
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.keys(schema.properties).sort().map(p => [p, compact(schema.properties[p])]));
    } else if (key === 'required' || key === 'enum') {
      out[key] = [...schema[key]];
    } else {
      out[key] = compact(schema[key]);
    }
  }
  return out;
}

const kinds: Record<string, string> = {};
const out: Record<string, any> = {};
for (const name of Object.keys(definitions).sort()) {
  const definition = compact(definitions[name]);
  for (const [property, values] of Object.entries(ENUMS[name] ?? {})) {
    const target = definition.properties?.[property];
    if (!target || target.type !== 'string') throw new Error(`${name}.${property}: not a string property in the source`);
    target.enum = [...values];
  }
  out[name] = definition;
  for (const gvk of definitions[name]['x-kubernetes-group-version-kind'] ?? []) {
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    kinds[`${apiVersion}/${gvk.kind}`] = name;
  }
}
for (const name of Object.keys(ENUMS)) {
  if (!(name in definitions)) throw new Error(`enum supplement names unknown definition ${name}`);
}

const result = {
  kubernetesVersion: '1.27.0',
  source: {
    repository: 'https://github.com/cdk8s-team/cdk8s',
    path: 'kubernetes-schemas/v1.27.0/_definitions.json',
    commit,
    sha256: createHash('sha256').update(text).digest('hex'),
    generator: 'build-tools/kubernetes-schema.ts',
  },
  kinds: Object.fromEntries(Object.keys(kinds).sort().map(k => [k, kinds[k]])),
  definitions: out,
};
const target = path.join(__dirname, '..', 'data', 'kubernetes-1.27-schema.json');
fs.writeFileSync(target, JSON.stringify(result) + '\n');
console.log(`${target}: ${Object.keys(kinds).length} kinds, ${Object.keys(out).length} definitions, ${fs.statSync(target).size} bytes`);
