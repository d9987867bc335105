import { Testing } from 'cdk8s';
import { Controls, FindingStatus, Guard, IsolatedNamespace, Profile, PssVersion } from '../../src';
import { OPT_OUT_LABEL as POLICIES_OPT_OUT_LABEL } from '../../src/admission/policies';
import { OPT_OUT_LABEL } from '../../src/controls/namespace-guardrails-opt-out';
import { only, REASON, synth, synthError } from '../helpers/synth';

// The opt-out label takes a namespace out of every admission binding: a Namespace manifest carrying it is an error
// at synthesis (and in check, see the fixtures), unless the control is exempted with a reason.

function optedOut(exemptions?: { control: typeof Controls.NAMESPACE_GUARDRAILS_OPT_OUT; reason: string }[]): IsolatedNamespace {
  const ns = new IsolatedNamespace(Testing.app(), 'platform', { exemptions });
  ns.namespaceObject.metadata.addLabel(OPT_OUT_LABEL, 'true');
  return ns;
}

test('the bindings select on the label the control flags', () => {
  expect(OPT_OUT_LABEL).toBe('admission.cdk8s-hardened.io/opt-out');
  expect(POLICIES_OPT_OUT_LABEL).toBe(OPT_OUT_LABEL);
});

test('a Namespace carrying the opt-out label fails synthesis, naming the label and the fix', () => {
  const ns = optedOut();
  expect(synthError(ns)).toContain('namespace-guardrails-opt-out: Namespace platform /metadata/labels/admission.cdk8s-hardened.io~1opt-out: '
    + "Namespace 'platform' carries admission.cdk8s-hardened.io/opt-out \"true\": no admission guardrail judges anything in it");
  expect(Guard.findings(ns).filter(f => f.status === FindingStatus.FAIL).map(f => f.controlId)).toEqual(['namespace-guardrails-opt-out']);
});

test('an exemption with a reason lets it through, recorded on the Namespace', () => {
  const ns = optedOut([{ control: Controls.NAMESPACE_GUARDRAILS_OPT_OUT, reason: REASON }]);
  const namespace = only(synth(ns), 'Namespace');
  expect(namespace.metadata.labels[OPT_OUT_LABEL]).toBe('true');
  expect(JSON.parse(namespace.metadata.annotations['exemptions.cdk8s-hardened.io/namespace-guardrails-opt-out'])).toEqual({ reason: REASON });
  expect(Guard.findings(ns).map(f => [f.controlId, f.status])).toEqual([['namespace-guardrails-opt-out', FindingStatus.EXEMPT]]);
});

test('hardened includes the control, the Pod Security Standards profiles do not; the cluster cannot enforce it', () => {
  const control = Controls.NAMESPACE_GUARDRAILS_OPT_OUT;
  expect(control.exemptable).toBe(true);
  expect(Profile.HARDENED.controls).toContain(control);
  expect(Profile.PSS_RESTRICTED.controls).not.toContain(control);
  expect(Profile.PSS_BASELINE.controls).not.toContain(control);
  expect(control.admission({ pssVersion: PssVersion.V1_27 }).notEnforcedReason)
    .toMatch(/outside every binding, its own Namespace object included.*rbac-namespace-write/);
});
