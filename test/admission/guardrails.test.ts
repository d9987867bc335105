import { Testing } from 'cdk8s';
import { NodeAgentChart } from '../../examples/node-agent/main';
import { AdmissionAction, AdmissionGuardrails, Controls, GuardReport, HardenedDefaults, Platform, Profile } from '../../src';
import { createRequest, evaluateCel, policyMatches } from '../helpers/cel';
import { expectSchemaValid } from '../helpers/schema';

describe('AdmissionGuardrails with the node agent, whose hostPath mount is exempted in code', () => {
  const app = Testing.app();
  const agent = new NodeAgentChart(app, 'node-agent');
  const agentManifests = Testing.synth(agent);
  const daemonSet = agentManifests.find(m => m.kind === 'DaemonSet');
  const expected = [
    [Controls.HOST_PATH_VOLUMES.id, 'apps', 'DaemonSet', 'logging', daemonSet.metadata.name],
    [Controls.VOLUME_TYPES.id, 'apps', 'DaemonSet', 'logging', daemonSet.metadata.name],
  ];
  const shape = (exemptions: any[]) => exemptions.map(e => [e.control.id, e.apiGroup, e.kind, e.objectNamespace, e.name]);

  test('exemptionsOf reads the exemptions declared in code as identities of the objects they cover', () => {
    expect(shape(AdmissionGuardrails.exemptionsOf(agent))).toEqual(expected);
    for (const e of AdmissionGuardrails.exemptionsOf(agent)) expect(e.reason).toMatch(/\/var\/log/);
  });

  test('exemptionsFromReport takes the same identities from the exempted findings of a synthesis', () => {
    expect(shape(AdmissionGuardrails.exemptionsFromReport(GuardReport.of(agent)))).toEqual(expected);
  });

  test('the agent is admitted by every policy: the two exempted ones skip it, the others judge and admit it', () => {
    const guardrails = new AdmissionGuardrails(Testing.app(), 'guardrails', { exemptions: AdmissionGuardrails.exemptionsOf(agent) });
    const policies = Testing.synth(guardrails).filter(m => m.kind === 'ValidatingAdmissionPolicy');
    expectSchemaValid(policies);
    const cases = agentManifests.flatMap(object => policies.filter(p => policyMatches(p, object))
      .map(p => ({ policy: p.metadata.name, object, request: createRequest(object) })));
    const results = evaluateCel(Object.fromEntries(policies.map(p => [p.metadata.name, p.spec])), cases);
    expect(cases.map((c, i) => `${c.policy} ${results[i].verdict}`).filter(r => !r.endsWith('admit')).sort())
      .toEqual(['cdk8s-hardened-host-path-volumes skip', 'cdk8s-hardened-volume-types skip']);
    // Without the exemptions, exactly those two refuse it.
    const bare = Testing.synth(new AdmissionGuardrails(Testing.app(), 'bare')).filter(m => m.kind === 'ValidatingAdmissionPolicy');
    const bareResults = evaluateCel(Object.fromEntries(bare.map(p => [p.metadata.name, p.spec])), cases);
    expect(cases.map((c, i) => `${c.policy} ${bareResults[i].verdict}`).filter(r => !r.endsWith('admit')).sort())
      .toEqual(['cdk8s-hardened-host-path-volumes deny', 'cdk8s-hardened-volume-types deny']);
  });
});

describe('AdmissionGuardrails props', () => {
  test('profile and action shape the chart', () => {
    const guardrails = new AdmissionGuardrails(Testing.app(), 'guardrails', { profile: Profile.PSS_RESTRICTED, action: AdmissionAction.AUDIT });
    const manifests = Testing.synth(guardrails);
    expect(guardrails.enforcedControlIds).toEqual(Profile.PSS_RESTRICTED.controls.map(c => c.id));
    expect(guardrails.notEnforcedControls).toEqual([]);
    for (const b of manifests.filter(m => m.kind === 'ValidatingAdmissionPolicyBinding')) expect(b.spec.validationActions).toEqual(['Audit']);
  });

  test('the not-enforced controls of the hardened profile come with their reasons', () => {
    const guardrails = new AdmissionGuardrails(Testing.app(), 'guardrails');
    const reasons = Object.fromEntries(guardrails.notEnforcedControls.map(n => [n.control.id, n.reason]));
    expect(reasons['namespace-default-deny']).toMatch(/^Needs other objects: /);
    expect(reasons['image-registry']).toMatch(/allowed registries/);
  });

  test.each<[string, any, RegExp]>([
    ['a blank registry', { allowedRegistries: [''] }, /\[guardrails\] AdmissionGuardrails: allowedRegistries \[""\] must be a list of registry hosts/],
    ['an unknown action', { action: 'enforce' }, /\[guardrails\] AdmissionGuardrails: action "enforce" is not one of deny, warn, audit/],
    ['an exemption without a name', {
      exemptions: [{ control: Controls.PRIVILEGED, kind: 'DaemonSet', objectNamespace: 'x', name: '', reason: 'cni plugin configures the node network' }],
    }, /\[guardrails\] AdmissionGuardrails: exemptions\[0\] \(privileged\): name "" is empty/],
  ])('%s is refused, naming the construct path and the prop', (_name, props, message) => {
    expect(() => new AdmissionGuardrails(Testing.app(), 'guardrails', props)).toThrow(message);
  });
});

test('the platform comes from HardenedDefaults of the scope unless given: OpenShift guardrails leave out high-uid-gid', () => {
  const app = Testing.app();
  HardenedDefaults.set(app, { platform: Platform.OPENSHIFT });
  const inherited = new AdmissionGuardrails(app, 'openshift');
  expect(inherited.enforcedControlIds).not.toContain(Controls.HIGH_UID_GID.id);
  expect(inherited.notEnforcedControls.find(n => n.control === Controls.HIGH_UID_GID)?.reason).toMatch(/OpenShift/);
  const explicit = new AdmissionGuardrails(app, 'generic', { platform: Platform.GENERIC });
  expect(explicit.enforcedControlIds).toContain(Controls.HIGH_UID_GID.id);
});
