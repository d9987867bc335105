import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { apiGroupOf, namespaceOf } from './core/manifest-index';
import { isObject, pointer } from './core/pod-template';

const FIELDS = ['data', 'stringData'];

/** No Secret carries its values in the manifests. */
export class SecretLiteralData extends Control {
  constructor() {
    super({
      id: 'secret-literal-data',
      title: 'Secrets carry no data or stringData in the manifests',
      severity: Severity.ERROR,
      rationale: 'Values written into a Secret manifest end up in Git, CI logs, synthesized output and every copy '
        + 'of it, only base64-encoded; the credential can no longer be rotated or revoked in one place.',
      remediation: 'Remove data and stringData: reference the secret instead (an ExternalSecret, a SealedSecret, '
        + 'the Secrets Store CSI driver) or create the Secret out of band and refer to it by name.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.4.2 (consider external secret storage)',
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: 'Judges Secrets written into manifests (and Git); in the cluster every Secret holds its data by design (operators, cert-manager, service account tokens).' };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isObject(manifest) && manifest.kind === 'Secret' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const namespace = namespaceOf(manifest);
    const label = `Secret '${namespace ? `${namespace}/` : ''}${manifest.metadata?.name ?? ''}'`;
    const violations: Violation[] = [];
    for (const field of FIELDS) {
      const value = manifest[field];
      if (value === undefined || value === null) continue;
      if (!isObject(value)) {
        // Not a map: the API server rejects it, but whatever it holds was still written down.
        violations.push({ pointer: pointer('', field), message: `${label} has a non-map ${field}` });
        continue;
      }
      // Name the keys, never the values.
      for (const key of Object.keys(value)) {
        violations.push({ pointer: pointer('', field, key), message: `${label} carries ${field} key '${key}'` });
      }
    }
    return violations;
  }
}
