import * as path from 'path';
import { AdmissionAction } from '../../src/admission/admission-action';
import { AdmissionExemption } from '../../src/admission/admission-exemption';
import { admissionPolicies, OPT_OUT_LABEL, SYSTEM_NAMESPACES } from '../../src/admission/policies';
import { Controls } from '../../src/controls/controls';
import { Severity } from '../../src/controls/core/control';
import { PssVersion } from '../../src/controls/core/pss-version';
import { Profile } from '../../src/controls/profile';
import { Platform } from '../../src/platforms/platform';
import { createRequest, evaluateCel } from '../helpers/cel';
import { controllerForms, FIXTURES_DIR, loadYamlFile } from '../helpers/fixtures';
import { expectSchemaValid } from '../helpers/schema';

const [compliantPod] = loadYamlFile(path.join(FIXTURES_DIR, 'compliant-pod.yaml'));
const policiesOf = (manifests: any[]) => manifests.filter(m => m.kind === 'ValidatingAdmissionPolicy');
const bindingsOf = (manifests: any[]) => manifests.filter(m => m.kind === 'ValidatingAdmissionPolicyBinding');

describe('the exported policies', () => {
  const { manifests, enforced, notEnforced } = admissionPolicies({ allowedRegistries: ['registry.example.com'] });

  test('validate against the Kubernetes 1.30 schema of admissionregistration.k8s.io/v1', () => {
    expectSchemaValid(manifests);
    expect(manifests.length).toBe(2 * enforced.length);
  });

  test('are one policy and one binding per enforced control, named cdk8s-hardened-<control-id>, failing closed', () => {
    expect(policiesOf(manifests).map(p => p.metadata.name)).toEqual(enforced.map(id => `cdk8s-hardened-${id}`));
    expect(bindingsOf(manifests).map(b => b.spec.policyName)).toEqual(enforced.map(id => `cdk8s-hardened-${id}`));
    for (const policy of policiesOf(manifests)) {
      expect(policy.spec.failurePolicy).toBe('Fail');
      expect(policy.spec.validations.length).toBeGreaterThan(0);
      for (const rule of policy.spec.matchConstraints.resourceRules) expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
    }
  });

  test('leave out exactly the controls that need other objects or mean nothing in the cluster, each with its reason', () => {
    expect(notEnforced.map(n => n.control.id).sort()).toEqual([
      'kubernetes-schema', 'namespace-default-deny', 'namespace-guardrails-opt-out', 'namespace-limit-range', 'namespace-not-default', 'namespace-quota',
      'network-policy-allow-all', 'network-policy-targets', 'pod-disruption-budget', 'replicas', 'secret-literal-data',
      'sensitive-env-literal', 'synthesis-integrity', 'topology-spread', 'workload-network-policy',
    ]);
    for (const n of notEnforced) expect(n.reason.length).toBeGreaterThan(30);
    expect([...enforced, ...notEnforced.map(n => n.control.id)].sort()).toEqual(Controls.all().map(c => c.id).sort());
  });

  test('pod policies match Pods, kubectl debug and every pod-template kind through one podSpec variable', () => {
    const policy = policiesOf(manifests).find(p => p.metadata.name === 'cdk8s-hardened-privileged');
    expect(policy.spec.matchConstraints.resourceRules.flatMap((r: any) => r.resources.map((x: string) => `${r.apiGroups[0]}/${x}`))).toEqual([
      '/pods', '/pods/ephemeralcontainers', '/replicationcontrollers', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets',
      'apps/daemonsets', 'batch/jobs', 'batch/cronjobs',
    ]);
    expect(policy.spec.variables.filter((v: any) => v.name === 'podSpec')).toHaveLength(1);
    expect(policy.spec.variables[0].expression).toContain('object.spec.jobTemplate.spec.template');
  });

  test('bind every namespace but the system ones and those carrying the opt-out label', () => {
    for (const binding of bindingsOf(manifests)) {
      expect(binding.spec.matchResources.namespaceSelector.matchExpressions).toEqual([
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: SYSTEM_NAMESPACES },
        { key: OPT_OUT_LABEL, operator: 'DoesNotExist' },
      ]);
    }
    expect(SYSTEM_NAMESPACES).toEqual(['kube-system', 'kube-public', 'kube-node-lease']);
  });

  test('image-registry is rendered only with allowed registries, with them as a literal list', () => {
    expect(enforced).toContain('image-registry');
    expect(JSON.stringify(policiesOf(manifests).find(p => p.metadata.name === 'cdk8s-hardened-image-registry'))).toContain("['registry.example.com']");
    expect(admissionPolicies().enforced).not.toContain('image-registry');
    expect(admissionPolicies().notEnforced.find(n => n.control.id === 'image-registry')?.reason).toMatch(/allowed registries/);
  });
});

describe('the known trap: no seccomp profile anywhere', () => {
  // Kyverno's published CEL "restrict seccomp (strict)" admits this pod; Pod Security Admission restricted refuses it.
  const pod = structuredClone(compliantPod);
  delete pod.spec.securityContext.seccompProfile;
  delete pod.spec.containers[0].securityContext.seccompProfile;
  const spec = policiesOf(admissionPolicies().manifests).find(p => p.metadata.name === 'cdk8s-hardened-seccomp-required').spec;

  test('is refused in every controller form, naming the container', () => {
    const forms = [pod, ...controllerForms(pod)];
    const results = evaluateCel({ p: spec }, forms.map(object => ({ policy: 'p', object, request: createRequest(object) })));
    expect(results.map(r => r.verdict)).toEqual(forms.map(() => 'deny'));
    expect(results[0].failed).toEqual(['seccomp-required: containers must have a RuntimeDefault or Localhost seccompProfile, set on them or on the pod: app']);
  });

  test('a profile on the pod alone, or on every container alone, is admitted', () => {
    const podLevel = structuredClone(pod);
    podLevel.spec.securityContext.seccompProfile = { type: 'RuntimeDefault' };
    const containerLevel = structuredClone(pod);
    containerLevel.spec.containers[0].securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/app.json' };
    const results = evaluateCel({ p: spec }, [podLevel, containerLevel].map(object => ({ policy: 'p', object, request: createRequest(object) })));
    expect(results.map(r => r.verdict)).toEqual(['admit', 'admit']);
  });
});

describe('validationActions', () => {
  const actionsOf = (action?: AdmissionAction) => Object.fromEntries(bindingsOf(admissionPolicies({ action }).manifests)
    .map(b => [b.spec.policyName.replace('cdk8s-hardened-', ''), b.spec.validationActions]));

  test('deny (the default): Deny for error controls, Warn for warning controls', () => {
    const actions = actionsOf();
    for (const [id, value] of Object.entries(actions)) {
      expect({ id, value }).toEqual({ id, value: Controls.byId(id).severity === Severity.ERROR ? ['Deny'] : ['Warn'] });
    }
    expect(actions.privileged).toEqual(['Deny']);
    expect(actions['rbac-cluster-scope']).toEqual(['Warn']);
  });

  test.each([[AdmissionAction.WARN, 'Warn'], [AdmissionAction.AUDIT, 'Audit']])('%s: every binding only %s (a dry run)', (action, expected) => {
    for (const value of Object.values(actionsOf(action))) expect(value).toEqual([expected]);
  });

  test('an unknown action is refused with the choices', () => {
    expect(() => admissionPolicies({ action: 'block' as AdmissionAction })).toThrow(/action "block" is not one of deny, warn, audit/);
  });
});

describe('profiles', () => {
  test('baseline and restricted export exactly their PSS controls', () => {
    expect(admissionPolicies({ profile: Profile.PSS_BASELINE }).enforced).toEqual(Profile.PSS_BASELINE.controls.map(c => c.id));
    expect(admissionPolicies({ profile: Profile.PSS_RESTRICTED }).enforced).toEqual(Profile.PSS_RESTRICTED.controls.map(c => c.id));
  });

  test('the PSS forms follow the pinned version (sysctls safe from 1.29, SELinux container_engine_t from 1.31)', () => {
    const sysctls = (v: PssVersion) => JSON.stringify(policiesOf(admissionPolicies({ pssVersion: v }).manifests).find(p => p.metadata.name === 'cdk8s-hardened-sysctls'));
    expect(sysctls(PssVersion.V1_27)).not.toContain('net.ipv4.tcp_keepalive_time');
    expect(sysctls(PssVersion.V1_29)).toContain('net.ipv4.tcp_keepalive_time');
  });
});

describe('exemptions in the cluster', () => {
  const exemption: AdmissionExemption = {
    control: Controls.READ_ONLY_ROOT_FILESYSTEM,
    kind: 'Deployment',
    objectNamespace: 'shop',
    name: 'legacy',
    reason: 'vendor image writes its pid file under /run; tracked with the vendor',
  };
  const { manifests } = admissionPolicies({ exemptions: [exemption] });
  const policy = policiesOf(manifests).find(p => p.metadata.name === 'cdk8s-hardened-read-only-root-filesystem');
  const writablePod = () => {
    const pod = structuredClone(compliantPod);
    pod.metadata = { name: 'legacy', namespace: 'shop' };
    pod.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    return pod;
  };
  const [deployment] = controllerForms(writablePod());
  const withMeta = (object: any, metadata: any) => ({ ...structuredClone(object), metadata: { ...object.metadata, ...metadata } });
  const replicaSet = withMeta(controllerForms(writablePod())[1], {
    name: 'legacy-7d9f8c6b5', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'legacy', uid: 'u1', controller: true }],
  });
  const podOf = (ownerName: string) => withMeta(writablePod(), {
    name: `${ownerName}-x2k9p`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: ownerName, uid: 'u2', controller: true }],
  });
  const rsController = 'system:serviceaccount:kube-system:replicaset-controller';
  const cases: Array<[string, any, string, 'skip' | 'deny']> = [
    ['the exempted Deployment', deployment, 'tenant', 'skip'],
    ['a Deployment of the same name in another namespace', withMeta(deployment, { namespace: 'other' }), 'tenant', 'deny'],
    ['another Deployment in the namespace', withMeta(deployment, { name: 'legacy2' }), 'tenant', 'deny'],
    ['a StatefulSet of the same name', controllerForms(writablePod())[2], 'tenant', 'deny'],
    ['its ReplicaSet, created by the deployment controller', replicaSet, 'system:serviceaccount:kube-system:deployment-controller', 'skip'],
    ['the same ReplicaSet created by a tenant', replicaSet, 'tenant', 'deny'],
    ['its pod, created by the replicaset controller', podOf('legacy-7d9f8c6b5'), rsController, 'skip'],
    ['its pod, with a shared controller-manager identity', podOf('legacy-7d9f8c6b5'), 'system:kube-controller-manager', 'skip'],
    ['a pod of another Deployment legacy-x', podOf('legacy-x-7d9f8c6b5'), rsController, 'deny'],
    ['the same pod created by a tenant', podOf('legacy-7d9f8c6b5'), 'tenant', 'deny'],
    ['a pod carrying the exemption annotation', withMeta(writablePod(), {
      name: 'other', annotations: { 'exemptions.cdk8s-hardened.io/read-only-root-filesystem': JSON.stringify({ reason: exemption.reason }) },
    }), 'tenant', 'deny'],
    ['a pod labelled like the exempted workload', withMeta(writablePod(), { name: 'legacy', labels: { app: 'legacy' } }), 'tenant', 'deny'],
  ];

  test('are a matchCondition keyed on identity, recorded with the reason on the policy', () => {
    expect(policy.spec.matchConditions).toHaveLength(1);
    expect(policy.spec.matchConditions[0].name).toBe('not-exempted');
    expect(policy.spec.matchConditions[0].expression).not.toMatch(/annotations|labels/);
    expect(policy.metadata.annotations['cdk8s-hardened.io/exemption-0']).toBe(`Deployment shop/legacy: ${exemption.reason}`);
    expect(policiesOf(manifests).filter(p => p.spec.matchConditions?.some((c: any) => c.name === 'not-exempted'))).toHaveLength(1);
  });

  test.each(cases.map(c => [c[0], c] as const))('%s', (_name, [, object, user, expected]) => {
    const [result] = evaluateCel({ p: policy.spec }, [{ policy: 'p', object, request: createRequest(object, user) }]);
    expect(result.verdict).toBe(expected);
  });

  test('of a CronJob cover its Jobs and their pods, created by the cronjob and job controllers', () => {
    const cronExemption = { ...exemption, kind: 'CronJob', name: 'backup' };
    const spec = policiesOf(admissionPolicies({ exemptions: [cronExemption] }).manifests)
      .find(p => p.metadata.name === 'cdk8s-hardened-read-only-root-filesystem').spec;
    const job = withMeta(controllerForms(writablePod())[4], {
      name: 'backup-28950420', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', uid: 'u', controller: true }],
    });
    const pod = withMeta(writablePod(), { name: 'backup-28950420-abcde', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'backup-28950420', uid: 'u', controller: true }] });
    const results = evaluateCel({ p: spec }, [
      { policy: 'p', object: job, request: createRequest(job, 'system:serviceaccount:kube-system:cronjob-controller') },
      { policy: 'p', object: pod, request: createRequest(pod, 'system:serviceaccount:kube-system:job-controller') },
      { policy: 'p', object: pod, request: createRequest(pod, 'system:serviceaccount:kube-system:replicaset-controller') },
    ]);
    expect(results.map(r => r.verdict)).toEqual(['skip', 'skip', 'deny']);
  });

  test.each<[string, Partial<AdmissionExemption>, RegExp]>([
    ['an empty name', { name: '' }, /name "" is empty/],
    ['a name pattern', { name: 'legacy-*' }, /not an object name; give the exact metadata.name/],
    ['an unknown kind without apiGroup', { kind: 'Rollout' }, /not a built-in kind; give its apiGroup/],
    ['an empty reason', { reason: ' ' }, /reason " " is empty/],
    ['a control without a policy', { control: Controls.WORKLOAD_NETWORK_POLICY }, /workload-network-policy is not enforced in the cluster/],
    ['a control that cannot be exempted', { control: Controls.SYNTHESIS_INTEGRITY }, /synthesis-integrity cannot be exempted/],
  ])('with %s are refused with the fix', (_name, change, message) => {
    expect(() => admissionPolicies({ exemptions: [{ ...exemption, ...change }] as AdmissionExemption[] })).toThrow(message);
  });
});

describe('the control plane', () => {
  const spec = (id: string) => policiesOf(admissionPolicies().manifests).find(p => p.metadata.name === `cdk8s-hardened-${id}`).spec;
  const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
  const defaultAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'shop' } };
  // What the aggregation controller writes into `admin`: the rules of every ClusterRole labelled for aggregation.
  const aggregated = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'admin' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] },
    rules: [{ apiGroups: ['example.com'], resources: ['*'], verbs: ['*'] }],
  };

  test.each<[string, any, string, string, 'skip' | 'deny']>([
    ['the API server reconciling cluster-admin', clusterRole, 'rbac-wildcard', 'system:apiserver', 'skip'],
    ['a tenant writing the same ClusterRole', clusterRole, 'rbac-wildcard', 'alice', 'deny'],
    ['a tenant impersonating nothing: system:serviceaccounts elsewhere', clusterRole, 'rbac-wildcard', 'system:serviceaccount:shop:deployer', 'deny'],
    ['the ServiceAccount controller creating default', defaultAccount, 'service-account-automount', 'system:serviceaccount:kube-system:service-account-controller', 'skip'],
    ['a tenant creating an automounting ServiceAccount', defaultAccount, 'service-account-automount', 'alice', 'deny'],
    ['the aggregation controller updating an aggregated ClusterRole', aggregated, 'rbac-wildcard', 'system:serviceaccount:kube-system:clusterrole-aggregation-controller', 'skip'],
    ['the garbage collector removing a finalizer', clusterRole, 'rbac-wildcard', 'system:serviceaccount:kube-system:generic-garbage-collector', 'skip'],
    ['another kube-system service account (cluster-autoscaler) creating a wildcard ClusterRole', clusterRole, 'rbac-wildcard', 'system:serviceaccount:kube-system:cluster-autoscaler', 'deny'],
    ['a Helm-installed operator in kube-system creating an automounting ServiceAccount', defaultAccount, 'service-account-automount', 'system:serviceaccount:kube-system:some-operator', 'deny'],
    ['a kube-system service account named like a controller prefix', clusterRole, 'rbac-wildcard', 'system:serviceaccount:kube-system:clusterrole-aggregation-controller-x', 'deny'],
  ])('%s', (_name, object, id, user, expected) => {
    const [result] = evaluateCel({ p: spec(id) }, [{ policy: 'p', object, request: createRequest(object, user) }]);
    expect(result.verdict).toBe(expected);
  });
});

test('requireImageDigests turns image-digest into an error in the cluster too: annotation and binding say Deny', () => {
  const digestObjects = (requireImageDigests?: boolean) => admissionPolicies({ requireImageDigests }).manifests
    .filter(m => m.metadata.name === 'cdk8s-hardened-image-digest');
  const [policy, binding] = digestObjects(true);
  expect(policy.metadata.annotations['cdk8s-hardened.io/severity']).toBe(Severity.ERROR);
  expect(binding.spec.validationActions).toEqual(['Deny']);
  const [warnPolicy, warnBinding] = digestObjects(undefined);
  expect(warnPolicy.metadata.annotations['cdk8s-hardened.io/severity']).toBe(Severity.WARNING);
  expect(warnBinding.spec.validationActions).toEqual(['Warn']);
  // The expression is the same: only what the cluster does with a failure changes.
  expect(policy.spec.validations).toEqual(warnPolicy.spec.validations);
  expect(() => admissionPolicies({ requireImageDigests: 'yes' as any })).toThrow(/requireImageDigests "yes" must be true or false/);
});

test('on OpenShift, high-uid-gid is not exported (the SCC assigns uids to pods, not to their templates): listed with the reason', () => {
  const generic = admissionPolicies({});
  const openshift = admissionPolicies({ platform: Platform.OPENSHIFT });
  expect(generic.enforced).toContain('high-uid-gid');
  expect(openshift.enforced).not.toContain('high-uid-gid');
  expect(openshift.enforced).toEqual(generic.enforced.filter(id => id !== 'high-uid-gid'));
  const listed = openshift.notEnforced.find(n => n.control.id === 'high-uid-gid');
  expect(listed?.reason).toMatch(/^Does not apply on OpenShift \(restricted-v2 SCC\): .*uid-range/);
  // Every other control is enforced exactly as on a generic cluster.
  expect(openshift.manifests.filter(m => !m.metadata.name.endsWith('high-uid-gid')))
    .toEqual(generic.manifests.filter(m => !m.metadata.name.endsWith('high-uid-gid')));
});
