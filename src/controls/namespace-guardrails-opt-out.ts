import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';
import { isObject, pointer } from './core/pod-template';

/**
 * The namespace label that takes a namespace out of every binding of the admission guardrails (AdmissionGuardrails,
 * `cdk8s-hardened policies`), whatever its value. Defined here, with the control that flags it, so the controls
 * never import the admission layer.
 */
export const OPT_OUT_LABEL = 'admission.cdk8s-hardened.io/opt-out';

/** No Namespace carries the admission guardrails' opt-out label. */
export class NamespaceGuardrailsOptOut extends Control {
  constructor() {
    super({
      id: 'namespace-guardrails-opt-out',
      title: 'Namespaces do not carry the admission guardrails\' opt-out label',
      severity: Severity.ERROR,
      rationale: `A namespace labelled ${OPT_OUT_LABEL} (any value) is outside every binding of the admission `
        + 'guardrails: nothing applied in it (by kubectl, Helm, an operator) is judged in the cluster, not even its own '
        + 'Namespace object. In GitOps whoever writes a Namespace manifest could switch the guardrails off in it; the '
        + 'label is meant for the platform\'s own namespaces (a CNI, a storage driver), set by the cluster administrator.',
      remediation: `Remove the label ${OPT_OUT_LABEL} from the Namespace. If the namespace really runs platform `
        + 'components the guardrails cannot judge, exempt this control on it with a reason the platform team reviewed.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Kubernetes Pod security: Pod security enforcement"',
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      notEnforcedReason: 'A namespace carrying the label is outside every binding, its own Namespace object included; '
        + 'setting namespace labels is the cluster administrator\'s privilege (see rbac-namespace-write).',
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Namespace' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const labels = manifest.metadata?.labels;
    if (!isObject(labels) || !Object.prototype.hasOwnProperty.call(labels, OPT_OUT_LABEL)) return [];
    return [{
      pointer: pointer('/metadata/labels', OPT_OUT_LABEL),
      message: `${describeObject(manifest)} carries ${OPT_OUT_LABEL} ${JSON.stringify(labels[OPT_OUT_LABEL])}: `
        + 'no admission guardrail judges anything in it',
      fix: `Remove the label ${OPT_OUT_LABEL}, or exempt namespace-guardrails-opt-out on this Namespace with a reviewed reason.`,
    }];
  }
}
