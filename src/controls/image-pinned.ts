import { everyContainer, podRule, validImage } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { containerImage } from './core/image-reference';
import { PodControl, PodView } from './core/pod-template';

/** Every container image names an explicit tag other than latest, or a digest. */
export class ImagePinned extends PodControl {
  constructor() {
    super({
      id: 'image-pinned',
      title: 'Container images are pinned to an explicit tag (not latest) or a digest',
      severity: Severity.ERROR,
      rationale: 'An untagged or :latest image resolves to whatever was pushed last, so the same manifest runs '
        + 'different code on different nodes and rollbacks cannot restore the previous version.',
      remediation: 'Reference every image with an explicit version tag (registry.example.com/app:1.2.3) or, better, '
        + 'a digest (registry.example.com/app@sha256:<64 hex>); never omit the tag and never use latest.',
      references: {
        kubeScore: ['container-image-tag'],
        polaris: ['tagNotSpecified'],
        kubeLinter: ['latest-tag'],
        trivy: ['KSV013'],
        kyverno: ['disallow-latest-tag'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer(`${validImage('c')} && (c.image.contains('@') || (c.image.matches('^[^@]*:[^/@:]*$') && !c.image.lowerAscii().endsWith(':latest')))`,
          'container images must be valid references pinned by a tag other than latest, or by a digest'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const parsed = containerImage(c);
      if (!parsed.ok) {
        violations.push(parsed.problem);
        continue;
      }
      const { pointer: at, image, reference } = parsed;
      if (reference.digest) {
        continue;
      } else if (reference.tag === undefined) {
        violations.push({ pointer: at, message: `${c.label} has image '${image}' with no tag (it resolves to latest)` });
      } else if (reference.tag.toLowerCase() === 'latest') {
        // Tags are case-sensitive, but any spelling of latest is the moving tag by convention.
        violations.push({ pointer: at, message: `${c.label} has image '${image}' tagged ${reference.tag}` });
      }
    }
    return violations;
  }
}
