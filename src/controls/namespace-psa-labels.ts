import { celString, celStrings } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';
import { isObject, pointer } from './core/pod-template';
import { PssVersion } from './core/pss-version';

const MODES = ['enforce', 'audit', 'warn'];
const PREFIX = 'pod-security.kubernetes.io/';
/** A pinned Pod Security Standards version, as Pod Security Admission reads it: `v1.<minor>`. */
const PINNED_VERSION = /^v1\.(0|[1-9][0-9]*)$/;

/**
 * The version is one the catalog knows (PssVersion: v1.25 to v1.33). Admission evaluates a pod against the checks of
 * the version named, so `enforce-version: v1.0` switches off every check added since (restricted's capabilities,
 * seccomp and allowPrivilegeEscalation among them). `latest` is refused too: it changes what is enforced on upgrade.
 */
function knownVersion(version: unknown): PssVersion | undefined {
  if (typeof version !== 'string' || !PINNED_VERSION.test(version)) return undefined;
  try {
    return PssVersion.of(version);
  } catch {
    return undefined;
  }
}

/** Every Namespace enforces, audits and warns at the restricted Pod Security Standard, each at a pinned version. */
export class NamespacePsaLabels extends Control {
  constructor() {
    super({
      id: 'namespace-psa-labels',
      title: 'Namespaces enforce, audit and warn on the restricted Pod Security Standard at a pinned version',
      severity: Severity.ERROR,
      rationale: 'Pod Security Admission only checks pods of namespaces labelled for it: without `enforce: restricted` '
        + 'any pod the guard never saw (kubectl, Helm, an operator) runs with whatever privileges it asks for. A '
        + 'missing or `latest` version changes what is enforced whenever the cluster is upgraded; an old version '
        + '(`v1.0`) enforces only the checks that version had, switching off most of restricted.',
      remediation: 'Label every Namespace with pod-security.kubernetes.io/enforce, /audit and /warn set to `restricted`, '
        + 'and pod-security.kubernetes.io/enforce-version, /audit-version and /warn-version set to a pinned version '
        + 'the catalog knows (v1.25 to v1.33), such as `v1.27` (the PSS version the app targets), never `latest`.',
      references: {
        pss: 'restricted (applied by Pod Security Admission namespace labels)',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.1 (ensure the cluster has at least one active policy control mechanism)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Kubernetes Pod security: Pod security enforcement"',
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    const known = [25, 26, 27, 28, 29, 30, 31, 32, 33].map(minor => `v1.${minor}`).filter(v => knownVersion(v));
    const label = (key: string) => `object.metadata.?labels[?${celString(key)}].orValue('')`;
    return {
      rule: {
        resources: [{ apiGroup: '', resource: 'namespaces', kind: 'Namespace' }],
        validations: MODES.map(mode => ({
          expression: `${label(PREFIX + mode)} == 'restricted' && ${label(`${PREFIX}${mode}-version`)} in ${celStrings(known)}`,
          message: `Namespaces must set ${PREFIX}${mode}: restricted and ${PREFIX}${mode}-version to a pinned version (${context.pssVersion.label})`,
        })),
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Namespace' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const labels = manifest.metadata?.labels;
    const target = context.pssVersion.label;
    if (!isObject(labels)) {
      return [{
        pointer: '/metadata/labels',
        message: `${describeObject(manifest)} has no Pod Security Admission labels`,
        fix: `Add labels ${MODES.map(m => `${PREFIX}${m}: restricted, ${PREFIX}${m}-version: ${target}`).join(', ')}.`,
      }];
    }
    const violations: Violation[] = [];
    for (const mode of MODES) {
      const levelKey = `${PREFIX}${mode}`;
      const level = labels[levelKey];
      if (level !== 'restricted') {
        violations.push({
          pointer: pointer('/metadata/labels', levelKey),
          message: `${describeObject(manifest)} has ${levelKey} ${JSON.stringify(level) ?? 'unset'}, not restricted`,
          fix: `Set label ${levelKey}: restricted.`,
        });
      }
      const versionKey = `${levelKey}-version`;
      const version = labels[versionKey];
      if (typeof version !== 'string' || !PINNED_VERSION.test(version)) {
        violations.push({
          pointer: pointer('/metadata/labels', versionKey),
          message: `${describeObject(manifest)} has ${versionKey} ${JSON.stringify(version) ?? 'unset'}, not a pinned version like ${target}`
            + (version === undefined ? ' (unset means latest)' : ''),
          fix: `Set label ${versionKey}: ${target}.`,
        });
      } else if (!knownVersion(version)) {
        violations.push({
          pointer: pointer('/metadata/labels', versionKey),
          message: `${describeObject(manifest)} has ${versionKey} ${JSON.stringify(version)}, a Pod Security Standards version the catalog `
            + 'does not know (v1.25 to v1.33): admission would enforce that version\'s checks, not the ones the guard evaluated',
          fix: `Set label ${versionKey}: ${target}.`,
        });
      }
    }
    return violations;
  }
}
