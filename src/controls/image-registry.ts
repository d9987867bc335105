import { celStrings, everyContainer, podRule, validImage } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { containerImage, ImageReference } from './core/image-reference';
import { PodControl, PodView } from './core/pod-template';

const DOCKER_HUB = 'docker.io';
/** Names the Docker normalisation maps to docker.io. */
const DOCKER_HUB_ALIASES = ['index.docker.io', 'registry-1.docker.io'];

/** When a registry allow-list is configured, every image comes from one of its entries. */
export class ImageRegistry extends PodControl {
  constructor() {
    super({
      id: 'image-registry',
      title: 'Container images come from an allowed registry',
      severity: Severity.ERROR,
      rationale: 'Images from arbitrary registries bypass the scanning, signing and provenance controls of the '
        + 'organisation\'s own registry, and a typo-squatted or public image can run attacker code.',
      remediation: 'Pull every image from a registry (or registry/path prefix) in the configured allow-list, e.g. '
        + 'mirror third-party images into registry.example.com/team/... and reference the mirror.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.5.1 (configure image provenance)',
        trivy: ['KSV0125'],
        kyverno: ['restrict-image-registries'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    if (context.allowedRegistries === undefined) {
      return { notEnforcedReason: 'Enforced only when allowed registries are given (AdmissionGuardrails allowedRegistries, or --allowed-registry).' };
    }
    const entries = context.allowedRegistries.map(normalizeEntry).filter(e => e !== '');
    // fullName() in CEL: the first component is the registry when it has '.' or ':', is localhost or has an uppercase
    // letter; Docker Hub is explicit, its aliases folded, and its official images under library/.
    const first = "c.image.split('/')[0]";
    const hasRegistry = `(c.image.contains('/') && (${first}.contains('.') || ${first}.contains(':') || ${first} == 'localhost' || ${first} != ${first}.lowerAscii()))`;
    const host = `(${first}.lowerAscii() in ${celStrings(DOCKER_HUB_ALIASES)} ? ${celStrings([DOCKER_HUB])}[0] : ${first}.lowerAscii())`;
    const registryPath = `c.image.split('@')[0].substring(size(${first}) + 1).split(':')[0]`;
    const hubPath = "c.image.split('@')[0].split(':')[0]";
    const library = (hostExpr: string, path: string) => `(${hostExpr} == '${DOCKER_HUB}' && !${path}.contains('/') ? 'library/' + ${path} : ${path})`;
    const celFullName = `(${hasRegistry} ? ${host} + '/' + ${library(host, registryPath)} : '${DOCKER_HUB}/' + ${library(`'${DOCKER_HUB}'`, hubPath)})`;
    return {
      rule: podRule([
        everyContainer(`${validImage('c')} && ${celStrings(entries)}.exists(e, ${celFullName} == e || ${celFullName}.startsWith(e + '/'))`,
          `container images must come from ${context.allowedRegistries.join(', ') || '(no registry allowed)'}`),
      ]),
    };
  }

  public appliesTo(manifest: any, context: ControlContext): boolean {
    // An explicitly empty allow-list applies and allows nothing (fail closed).
    return context.allowedRegistries !== undefined && super.appliesTo(manifest, context);
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    const allowList = context.allowedRegistries;
    if (allowList === undefined) return [];
    const entries = allowList.map(normalizeEntry).filter(e => e !== '');
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const parsed = containerImage(c);
      if (!parsed.ok) {
        violations.push(parsed.problem);
        continue;
      }
      const { pointer: at, image, reference } = parsed;
      const name = fullName(reference);
      // Match whole path segments only: registry.example.com must not admit registry.example.com.evil.io.
      if (!entries.some(entry => name === entry || name.startsWith(entry + '/'))) {
        violations.push({
          pointer: at,
          message: `${c.label} has image '${image}' from ${name}, which is under none of the allowed registries ${allowList.join(', ') || '(empty list)'}`,
        });
      }
    }
    return violations;
  }
}

/** `host[:port]/path` with the host lower-cased and Docker Hub made explicit. */
function fullName(reference: ImageReference): string {
  const lower = reference.registry?.toLowerCase() ?? DOCKER_HUB;
  const host = DOCKER_HUB_ALIASES.includes(lower) ? DOCKER_HUB : lower;
  // Docker Hub official images live under library/ (nginx is docker.io/library/nginx).
  const path = host === DOCKER_HUB && !reference.repository.includes('/') ? `library/${reference.repository}` : reference.repository;
  return `${host}/${path}`;
}

/** An allow-list entry as `host[:port][/path]`, host lower-cased, without a trailing slash. */
function normalizeEntry(entry: string): string {
  const trimmed = String(entry).trim().replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const host = (slash === -1 ? trimmed : trimmed.slice(0, slash)).toLowerCase();
  const path = slash === -1 ? '' : trimmed.slice(slash);
  return (DOCKER_HUB_ALIASES.includes(host) ? DOCKER_HUB : host) + path;
}
