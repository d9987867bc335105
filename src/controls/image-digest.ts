import { everyContainer, podRule, validImage } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { containerImage } from './core/image-reference';
import { PodControl, PodView } from './core/pod-template';

/** Every container image is pinned by a sha256 digest. */
export class ImageDigest extends PodControl {
  constructor() {
    super({
      id: 'image-digest',
      title: 'Container images are pinned by sha256 digest',
      severity: Severity.WARNING,
      rationale: 'Tags are mutable: whoever can push to the registry can change what a tag runs. A digest names the '
        + 'exact image content, so the cluster runs what was reviewed and scanned.',
      remediation: 'Append the digest to every image reference: registry.example.com/app:1.2.3@sha256:<64 hex> '
        + '(keep the tag for readability; the digest is what the runtime pulls); `cdk8s-hardened pin` writes the digests to '
        + 'images.lock.json and hardened workloads render them. A warning, and an error where an image policy requires digests.',
      references: {
        kyverno: ['require-image-checksum'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    return {
      // Required digests deny in the cluster as they fail synthesis.
      ...(context.requireImageDigests === true ? { severity: Severity.ERROR } : {}),
      rule: podRule([
        everyContainer(`${validImage('c')} && c.image.contains('@sha256:')`, 'container images must be valid references pinned by an @sha256: digest'),
      ]),
    };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    // A declared image policy that requires digests makes an unpinned image an error (a warning otherwise).
    const severity = context.requireImageDigests === true ? Severity.ERROR : undefined;
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const parsed = containerImage(c);
      if (!parsed.ok) {
        violations.push(parsed.problem);
        continue;
      }
      const { pointer: at, image, reference } = parsed;
      if (!reference.digest?.startsWith('sha256:')) {
        violations.push({
          pointer: at,
          message: reference.digest
            ? `${c.label} has image '${image}' pinned by ${reference.digest.split(':')[0]}, not sha256`
            : `${c.label} has image '${image}' with no @sha256: digest`,
          ...(severity ? { severity } : {}),
        });
      }
    }
    return violations;
  }
}
