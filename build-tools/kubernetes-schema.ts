// Generates data/kubernetes-1.27-schema.json, the compact Kubernetes 1.27 schema the
// `kubernetes-schema` control validates built-in objects against, plus the few newer kinds the library itself
// emits (NEWER_KINDS). Run by hand when the pinned version changes:
//
//   ts-node --project test/tsconfig.json build-tools/kubernetes-schema.ts \
//     <v1.27.0/_definitions.json> <its cdk8s commit> <v1.30.0/_definitions.json> <its cdk8s commit>
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
//
// Newer kinds: Kubernetes 1.27 serves ValidatingAdmissionPolicy and its binding only as v1alpha1, but the library
// emits them as admissionregistration.k8s.io/v1 (AdmissionGuardrails), which the API server of any cluster enforcing
// them serves (GA in 1.30). Their 1.30 definitions are added with every definition they reference; a referenced
// definition 1.27 also has must be the same after compaction (checked here, the build fails otherwise), so no 1.27
// kind is ever validated against a 1.30 definition. Nothing else of 1.30 is taken: v1alpha1/v1beta1 forms and
// every other kind stay as 1.27 serves them.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const [input, commit, newerInput, newerCommit] = process.argv.slice(2);
if (!input || !newerInput || ![commit, newerCommit].every(c => /^[0-9a-f]{40}$/.test(c ?? ''))) {
  throw new Error('usage: kubernetes-schema.ts <kubernetes-schemas/v1.27.0/_definitions.json> <40-hex cdk8s commit> '
    + '<kubernetes-schemas/v1.30.0/_definitions.json> <40-hex cdk8s commit>');
}
const text = fs.readFileSync(input, 'utf-8');
const definitions: Record<string, any> = JSON.parse(text).definitions;
const newerText = fs.readFileSync(newerInput, 'utf-8');
const newerDefinitions: Record<string, any> = JSON.parse(newerText).definitions;

/** The kinds taken from the newer definitions: exactly those the library emits in a version 1.27 does not serve. */
const NEWER_KINDS = {
  kubernetesVersion: '1.30.0',
  path: 'kubernetes-schemas/v1.30.0/_definitions.json',
  kinds: ['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding'],
};

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
  // Kubernetes 1.30 (k8s.io/api v0.30 admissionregistration/v1 `+enum` types), for the newer kinds only.
  'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec': { failurePolicy: ['Fail', 'Ignore'] },
  'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec': { validationActions: ['Audit', 'Deny', 'Warn'] },
  'io.k8s.api.admissionregistration.v1.MatchResources': { matchPolicy: ['Equivalent', 'Exact'] },
  'io.k8s.api.admissionregistration.v1.ParamRef': { parameterNotFoundAction: ['Allow', 'Deny'] },
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

/** The compact definition with its enum supplement (a string property, or an array of strings: its items). */
function compactWithEnums(name: string, source: Record<string, any>): any {
  const definition = compact(source[name]);
  for (const [property, values] of Object.entries(ENUMS[name] ?? {})) {
    const field = definition.properties?.[property];
    const target = field?.type === 'array' ? field.items : field;
    if (!target || target.type !== 'string') throw new Error(`${name}.${property}: not a string property (or array of strings) in the source`);
    target.enum = [...values];
  }
  return definition;
}

function keysOf(source: Record<string, any>, name: string): string[] {
  return (source[name]['x-kubernetes-group-version-kind'] ?? [])
    .map((gvk: any) => `${gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version}/${gvk.kind}`);
}

const kinds: Record<string, string> = {};
const out: Record<string, any> = {};
for (const name of Object.keys(definitions).sort()) {
  out[name] = compactWithEnums(name, definitions);
  for (const key of keysOf(definitions, name)) kinds[key] = name;
}

// The newer kinds, with the transitive closure of their references.
const added: string[] = [];
for (const key of NEWER_KINDS.kinds) {
  if (key in kinds) throw new Error(`${key}: already served by ${NEWER_KINDS.path.replace('1.30.0', '1.27.0')}; drop it from NEWER_KINDS`);
  const [root, ...others] = Object.keys(newerDefinitions).filter(n => keysOf(newerDefinitions, n).includes(key));
  if (!root || others.length > 0) throw new Error(`${key}: ${others.length + (root ? 1 : 0)} definitions in ${NEWER_KINDS.path}, not one`);
  kinds[key] = root;
  const pending = [root];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (!(name in newerDefinitions)) throw new Error(`${name}: referenced but not defined in ${NEWER_KINDS.path}`);
    const definition = compactWithEnums(name, newerDefinitions);
    if (name in out) {
      // Shared with 1.27 (ObjectMeta, LabelSelector...): it must not change under the 1.27 kinds that use it.
      if (JSON.stringify(out[name]) !== JSON.stringify(definition)) {
        throw new Error(`${name}: differs between 1.27 and ${NEWER_KINDS.kubernetesVersion}; namespace the newer one before adding ${key}`);
      }
      continue;
    }
    out[name] = definition;
    added.push(name);
    for (const [, ref] of JSON.stringify(definition).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) pending.push(ref);
  }
}
for (const name of Object.keys(ENUMS)) {
  if (!(name in out)) throw new Error(`enum supplement names unknown definition ${name}`);
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
  newerKinds: {
    kubernetesVersion: NEWER_KINDS.kubernetesVersion,
    kinds: [...NEWER_KINDS.kinds],
    definitions: added.sort(),
    source: {
      repository: 'https://github.com/cdk8s-team/cdk8s',
      path: NEWER_KINDS.path,
      commit: newerCommit,
      sha256: createHash('sha256').update(newerText).digest('hex'),
      generator: 'build-tools/kubernetes-schema.ts',
    },
  },
  kinds: Object.fromEntries(Object.keys(kinds).sort().map(k => [k, kinds[k]])),
  definitions: Object.fromEntries(Object.keys(out).sort().map(n => [n, out[n]])),
};
const target = path.join(__dirname, '..', 'data', 'kubernetes-1.27-schema.json');
fs.writeFileSync(target, JSON.stringify(result) + '\n');
console.log(`${target}: ${Object.keys(kinds).length} kinds, ${Object.keys(out).length} definitions, ${fs.statSync(target).size} bytes`);
