import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, pointer } from './core/pod-template';

/** Annotations the guard writes as its audit trail of exemptions granted in code (defined here, below the guard). */
export const EXEMPTION_ANNOTATION_PREFIX = 'exemptions.cdk8s-hardened.io/';

/**
 * What a synthesized object is, is what kubectl applies, and it carries no exemption that was not granted in code.
 * Not exemptable: an exemption of it would switch the guard off for what it cannot see.
 */
export class SynthesisIntegrity extends Control {
  constructor() {
    super({
      id: 'synthesis-integrity',
      title: 'Synthesized objects are what kubectl applies, with no exemption written by hand',
      severity: Severity.ERROR,
      exemptable: false,
      rationale: 'kubectl decodes any object that has an `items` field as a List and applies its items, not the object: '
        + 'a ConfigMap with `items: [<privileged Pod>]` is applied as that Pod, which no control of the ConfigMap sees. '
        + 'At synthesis an exemption exists only as code (Exemptions.of(scope).add or a construct\'s exemptions prop); the '
        + '`exemptions.cdk8s-hardened.io/*` annotations are the guard\'s audit trail of them, so one in an object\'s own JSON '
        + '(a raw object, an Include, a JSON patch) is a forged exemption. The check CLI splits Lists and reads those '
        + 'annotations instead (see docs/guard.md).',
      remediation: 'Emit each item of a List as its own ApiObject; remove exemptions.cdk8s-hardened.io/* annotations and grant '
        + 'the exemption in code with a reason.',
      references: {},
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Judges the guard's own input at synthesis (List objects, exemption annotations written by hand): it means nothing in the cluster." };
  }

  public appliesTo(manifest: any, context: ControlContext): boolean {
    return isObject(manifest) && context.synthesis === true;
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    if (manifest.items !== undefined && manifest.items !== null) {
      const count = Array.isArray(manifest.items) ? `${manifest.items.length} item(s)` : JSON.stringify(manifest.items);
      violations.push({
        pointer: '/items',
        message: `the object has items (${count}): kubectl applies it as a List of its items, which no control checks as objects`,
        fix: 'Emit each item as its own ApiObject (or Include its YAML, one document per object), and remove items',
      });
    }
    const annotations = manifest.metadata?.annotations;
    if (isObject(annotations)) {
      for (const key of Object.keys(annotations).sort()) {
        if (!key.startsWith(EXEMPTION_ANNOTATION_PREFIX)) continue;
        violations.push({
          pointer: pointer('/metadata/annotations', key),
          message: `annotation '${key}' claims an exemption that was not granted in code (the guard writes these annotations itself)`,
          fix: `Remove the annotation, and grant the exemption in code: Exemptions.of(scope).add({ control: Controls.byId('${key.slice(EXEMPTION_ANNOTATION_PREFIX.length)}'), reason: '...' })`,
        });
      }
    }
    return violations;
  }
}
