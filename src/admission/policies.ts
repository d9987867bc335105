import { AdmissionAction } from './admission-action';
import { AdmissionExemption } from './admission-exemption';
import { AdmissionOptions } from './admission-options';
import { exemptionCondition, validateAdmissionExemption } from './exemption-condition';
import { NotEnforcedControl } from './not-enforced-control';
import { celString } from '../controls/core/cel';
import { AdmissionRule, Control, ControlContext, Severity } from '../controls/core/control';
import { PssVersion } from '../controls/core/pss-version';
import { OPT_OUT_LABEL } from '../controls/namespace-guardrails-opt-out';
import { Profile } from '../controls/profile';

// Plain JSON, no cdk8s: the `policies` CLI command loads this module alone; AdmissionGuardrails wraps it in ApiObjects.

/** Namespaces the bindings never judge: the cluster's own. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

/**
 * The label that opts a namespace out of every guardrail (any value), defined beside the control that flags it
 * (`namespace-guardrails-opt-out`). Setting it takes `update` or `patch` on namespaces, which tenants must not have
 * (the `rbac-namespace-write` control refuses Roles that grant it).
 */
export { OPT_OUT_LABEL };

/** Prefix of every policy and binding name: `cdk8s-hardened-<control-id>`. */
export const POLICY_NAME_PREFIX = 'cdk8s-hardened-';

/** How to build the policies: the public options, plus where errors about them come from. */
export interface AdmissionPolicyOptions extends AdmissionOptions {
  /** Prefix of errors about the options (e.g. the construct path). @default 'policies' */
  readonly where?: string;
}

/** The policies and bindings, as plain JSON manifests. */
export interface AdmissionPolicySet {
  /** Policy, binding, policy, binding... in catalog order. */
  readonly manifests: any[];
  /** The ids of the exported controls. */
  readonly enforced: string[];
  /** The controls of the profile left to synthesis and the CLI, with the reason. */
  readonly notEnforced: NotEnforcedControl[];
}

const VAP_API_VERSION = 'admissionregistration.k8s.io/v1';

/** Builds a ValidatingAdmissionPolicy and its binding for every control of the profile that has a CEL form. */
export function admissionPolicies(options: AdmissionPolicyOptions = {}): AdmissionPolicySet {
  const where = options.where ?? 'policies';
  const profile = options.profile ?? Profile.HARDENED;
  const action = options.action ?? AdmissionAction.DENY;
  if (!Object.values(AdmissionAction).includes(action)) {
    throw new Error(`${where}: action ${JSON.stringify(action)} is not one of ${Object.values(AdmissionAction).join(', ')}`);
  }
  const registries = options.allowedRegistries;
  if (registries !== undefined && (!Array.isArray(registries) || registries.some(r => typeof r !== 'string' || r.trim() === ''))) {
    throw new Error(`${where}: allowedRegistries ${JSON.stringify(registries)} must be a list of registry hosts or host/path prefixes, `
      + "e.g. ['registry.example.com', 'ghcr.io/acme']");
  }
  const exemptions = options.exemptions ?? [];
  exemptions.forEach((e, i) => validateAdmissionExemption(`${where}: exemptions[${i}]`, e));
  if (options.requireImageDigests !== undefined && typeof options.requireImageDigests !== 'boolean') {
    throw new Error(`${where}: requireImageDigests ${JSON.stringify(options.requireImageDigests)} must be true or false`);
  }
  const context: ControlContext = {
    pssVersion: options.pssVersion ?? PssVersion.V1_27, allowedRegistries: registries, requireImageDigests: options.requireImageDigests,
  };

  const manifests: any[] = [];
  const enforced: string[] = [];
  const notEnforced: NotEnforcedControl[] = [];
  for (const control of profile.controls) {
    const notApplicable = options.platform?.reasonNotApplicable(control.id);
    if (notApplicable !== undefined) {
      notEnforced.push({ control, reason: `Does not apply on ${options.platform!.title}: ${notApplicable}.` });
      continue;
    }
    const form = control.admission(context);
    if (!form.rule) {
      notEnforced.push({ control, reason: form.notEnforcedReason ?? 'no CEL form' });
      continue;
    }
    const own = exemptions.filter(e => e.control === control);
    const severity = form.severity ?? control.severity;
    manifests.push(policyOf(control, severity, form.rule, own), bindingOf(severity, control, action));
    enforced.push(control.id);
  }
  for (const e of exemptions) {
    if (!enforced.includes(e.control.id)) {
      throw new Error(`${where}: an exemption of ${e.control.id} (${e.kind} ${e.objectNamespace ?? ''}/${e.name}) has no policy to narrow: `
        + `${e.control.id} is not enforced in the cluster with this profile; remove the exemption`);
    }
  }
  return { manifests, enforced, notEnforced };
}

function policyOf(control: Control, severity: Severity, rule: AdmissionRule, exemptions: AdmissionExemption[]): any {
  const groups = [...new Set(rule.resources.map(r => r.apiGroup))];
  const matchConditions = [
    ...(exemptions.length > 0
      ? [{ name: 'not-exempted', expression: `!(${exemptions.map(e => exemptionCondition(e)).join(' || ')})` }]
      : []),
    ...(rule.matchConditions ?? []),
  ];
  return {
    apiVersion: VAP_API_VERSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: {
      name: POLICY_NAME_PREFIX + control.id,
      labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' },
      annotations: {
        'cdk8s-hardened.io/control': control.id,
        'cdk8s-hardened.io/severity': severity,
        ...Object.fromEntries(exemptions.map((e, i) => [`cdk8s-hardened.io/exemption-${i}`,
          `${e.kind} ${e.objectNamespace ? e.objectNamespace + '/' : ''}${e.name}: ${e.reason}`])),
      },
    },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: groups.map(group => ({
          apiGroups: [group],
          apiVersions: ['*'],
          operations: ['CREATE', 'UPDATE'],
          resources: rule.resources.filter(r => r.apiGroup === group).map(r => r.resource),
        })),
      },
      ...(matchConditions.length > 0 ? { matchConditions } : {}),
      ...(rule.variables && rule.variables.length > 0 ? { variables: rule.variables.map(v => ({ name: v.name, expression: v.expression })) } : {}),
      validations: rule.validations.map(v => ({
        expression: v.expression,
        message: `${control.id}: ${v.message}`,
        ...(v.messageExpression ? { messageExpression: `${celString(control.id + ': ')} + ${v.messageExpression}` } : {}),
        reason: 'Forbidden',
      })),
    },
  };
}

function bindingOf(severity: Severity, control: Control, action: AdmissionAction): any {
  const validationActions = action === AdmissionAction.AUDIT ? ['Audit']
    : action === AdmissionAction.WARN || severity === Severity.WARNING ? ['Warn'] : ['Deny'];
  return {
    apiVersion: VAP_API_VERSION,
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: POLICY_NAME_PREFIX + control.id, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' } },
    spec: {
      policyName: POLICY_NAME_PREFIX + control.id,
      validationActions,
      matchResources: {
        namespaceSelector: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: SYSTEM_NAMESPACES },
            { key: OPT_OUT_LABEL, operator: 'DoesNotExist' },
          ],
        },
      },
    },
  };
}
