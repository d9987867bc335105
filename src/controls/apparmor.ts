import { celString, celStrings, everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, isObject, pointer } from './core/pod-template';

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const ALLOWED_TYPES = ['RuntimeDefault', 'Localhost'];

function allowedAnnotationValue(value: unknown): boolean {
  return typeof value === 'string'
    && (value === '' || value === 'runtime/default' || value.startsWith('localhost/'));
}

/**
 * AppArmor is never disabled or overridden with an unknown profile (PSA `appArmorProfile`).
 *
 * Both channels are checked at every pinned version, as PSA does: the beta annotations on the pod
 * (template) metadata, and the `appArmorProfile` fields (Kubernetes 1.30+). PSA checks the fields in its
 * 1.0 policy function, so pinning an older policy version does not exempt them.
 */
export class Apparmor extends PodControl {
  constructor() {
    super({
      id: 'apparmor',
      title: 'AppArmor profiles are the runtime default or a localhost profile',
      severity: Severity.ERROR,
      rationale: 'AppArmor confines what files, capabilities and mounts a container process can use; an '
        + 'unconfined profile removes that layer and makes container escapes easier.',
      remediation: 'Leave AppArmor unset (the runtime default applies) or set securityContext.appArmorProfile.type '
        + 'to RuntimeDefault or Localhost on the pod or container; with the beta annotation '
        + 'container.apparmor.security.beta.kubernetes.io/<container> on the pod template, use runtime/default or localhost/<profile>.',
      references: {
        pss: 'baseline: AppArmor',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Pod security enforcement"',
        trivy: ['KSV002'],
        kyverno: ['restrict-apparmor-profiles'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    const allowed = (holder: string) => `!${securityContextField(holder, 'appArmorProfile')}.hasValue()`
      + ` || ${securityContextField(holder, 'appArmorProfile')}.value().?type.orValue('') in ${celStrings(ALLOWED_TYPES)}`;
    return {
      rule: podRule([
        podCheck(`variables.podMetadata.?annotations.orValue({}).all(k, !k.startsWith(${celString(ANNOTATION_PREFIX)})`
          + ' || variables.podMetadata.annotations[k] in [\'\', \'runtime/default\'] || variables.podMetadata.annotations[k].startsWith(\'localhost/\'))',
        `AppArmor annotations (${ANNOTATION_PREFIX}*) must be runtime/default or localhost/<profile>`),
        podCheck(allowed('variables.podSpec'), 'the pod appArmorProfile.type must be RuntimeDefault or Localhost'),
        everyContainer(allowed('c'), 'containers\' appArmorProfile.type must be RuntimeDefault or Localhost'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    const annotations = pod.metadata.annotations;
    if (isObject(annotations)) {
      for (const [key, value] of Object.entries(annotations)) {
        if (!key.startsWith(ANNOTATION_PREFIX) || allowedAnnotationValue(value)) continue;
        violations.push({
          pointer: pointer(pod.metadataPointer, 'annotations', key),
          message: `annotation ${key} is ${JSON.stringify(value)}, not runtime/default or localhost/<profile>`,
        });
      }
    }
    const podProfile = pod.spec.securityContext?.appArmorProfile;
    if (podProfile !== undefined && podProfile !== null && !ALLOWED_TYPES.includes(podProfile?.type)) {
      violations.push({
        pointer: pointer(pod.specPointer, 'securityContext', 'appArmorProfile', 'type'),
        message: `pod has appArmorProfile.type ${JSON.stringify(podProfile?.type) ?? 'unset'}, not RuntimeDefault or Localhost`,
      });
    }
    for (const c of pod.containers) {
      const profile = c.container.securityContext?.appArmorProfile;
      if (profile === undefined || profile === null || ALLOWED_TYPES.includes(profile?.type)) continue;
      violations.push({
        pointer: pointer(c.pointer, 'securityContext', 'appArmorProfile', 'type'),
        message: `${c.label} has appArmorProfile.type ${JSON.stringify(profile?.type) ?? 'unset'}, not RuntimeDefault or Localhost`,
      });
    }
    return violations;
  }
}
