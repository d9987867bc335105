import { NOT_CONTROL_PLANE } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';

/**
 * ServiceAccounts do not automount their token: `automountServiceAccountToken: false` on every ServiceAccount,
 * the namespace's `default` one first of all.
 */
export class ServiceAccountAutomount extends Control {
  constructor() {
    super({
      id: 'service-account-automount',
      title: 'ServiceAccounts do not automount a token',
      severity: Severity.ERROR,
      rationale: 'A pod gets a token unless its own spec or its ServiceAccount says automountServiceAccountToken: false. '
        + 'service-account-token checks the pods this app declares; the ServiceAccount is the only setting that also '
        + 'covers the pods it does not (kubectl run and debug, Helm releases, operators, pipeline Jobs). The namespace\'s '
        + '`default` account is what every pod naming no account runs as.',
      remediation: 'Set automountServiceAccountToken: false on the ServiceAccount (IsolatedNamespace does so on the '
        + 'namespace\'s default account, LeastPrivilegeServiceAccount and the hardened workloads on theirs). A workload '
        + 'that needs the API gets a projected token of its own (LeastPrivilegeServiceAccount with permissions); an '
        + 'account that must keep automounting (a third-party controller) exempts this control with a reason.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.5 (default service accounts are not actively used), 5.1.6 (service '
          + 'account tokens only mounted where necessary)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Protecting Pod service account tokens"',
        kyverno: ['disable-automountserviceaccounttoken'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: {
        resources: [{ apiGroup: '', resource: 'serviceaccounts', kind: 'ServiceAccount' }],
        matchConditions: [NOT_CONTROL_PLANE],
        validations: [{
          expression: 'object.?automountServiceAccountToken.orValue(true) == false',
          message: 'ServiceAccounts must set automountServiceAccountToken: false',
        }],
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'ServiceAccount' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const value = manifest.automountServiceAccountToken;
    if (value === false) return [];
    const who = manifest.metadata?.name === 'default'
      ? 'every pod of the namespace that names no ServiceAccount'
      : 'every pod using it that does not set automountServiceAccountToken: false itself';
    return [{
      pointer: '/automountServiceAccountToken',
      message: value === undefined || value === null
        ? `${describeObject(manifest)} leaves automountServiceAccountToken unset (Kubernetes defaults it to true), so ${who} gets a token`
        : `${describeObject(manifest)} has automountServiceAccountToken ${JSON.stringify(value)}, not false, so ${who} gets a token`,
      fix: 'Set automountServiceAccountToken: false on the ServiceAccount; give a workload that calls the API a projected '
        + 'token of its own (LeastPrivilegeServiceAccount with permissions), or exempt this control with the reason the '
        + 'account must automount.',
    }];
  }
}
