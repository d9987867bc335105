import { podRule, resourcesSet } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { ContainerView, PodControl, PodView, pointer } from './core/pod-template';

/** Kubernetes resource.Quantity: a signed decimal with an optional binary, decimal or exponent suffix. */
const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/**
 * Why a requests/limits entry does not count as set, or undefined when it is a positive quantity.
 * Shared by resource-requests, resource-limits and cpu-limit.
 */
export function quantityProblem(value: any): string | undefined {
  if (value === undefined || value === null || value === '') return 'unset';
  if (typeof value === 'number') return value > 0 ? undefined : `${value}, not a positive quantity`;
  if (typeof value !== 'string') return `${JSON.stringify(value)}, not a quantity`;
  const match = QUANTITY_RE.exec(value);
  if (!match) return `${JSON.stringify(value)}, not a quantity`;
  return Number(match[1]) > 0 ? undefined : `${JSON.stringify(value)}, not a positive quantity`;
}

/** Containers that can carry resources: ephemeral containers cannot (the API forbids resources on them). */
export function resourceContainers(pod: PodView): ContainerView[] {
  return pod.containers.filter(c => c.list !== 'ephemeralContainers');
}

/** Violations for every resource of `names` missing from `resources.<section>` of each container. */
export function missingResources(pod: PodView, section: 'requests' | 'limits', names: string[]): Violation[] {
  const violations: Violation[] = [];
  for (const c of resourceContainers(pod)) {
    const entries = c.container.resources?.[section];
    for (const name of names) {
      const problem = quantityProblem(entries?.[name]);
      if (problem) {
        violations.push({
          pointer: pointer(c.pointer, 'resources', section, name),
          message: `${c.label} has ${section}.${name} ${problem}`,
        });
      }
    }
  }
  return violations;
}

/** Every container requests cpu, memory and ephemeral-storage. */
export class ResourceRequests extends PodControl {
  constructor() {
    super({
      id: 'resource-requests',
      title: 'Containers request cpu, memory and ephemeral-storage',
      severity: Severity.ERROR,
      rationale: 'The scheduler places pods by their requests: without them a pod lands on a node that cannot hold '
        + 'it, is evicted first under pressure (BestEffort), and can starve its neighbours.',
      remediation: 'Set resources.requests.cpu, resources.requests.memory and resources.requests.ephemeral-storage '
        + 'on every container and init container (hardened workloads take them from a size preset).',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Resource policies"',
        kubeScore: ['container-resources', 'container-ephemeral-storage-request-and-limit'],
        polaris: ['cpuRequestsMissing', 'memoryRequestsMissing'],
        kubeLinter: ['unset-cpu-requirements', 'unset-memory-requirements'],
        trivy: ['KSV015', 'KSV016'],
        kyverno: ['require-requests-limits'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { rule: podRule([resourcesSet('requests', ['cpu', 'memory', 'ephemeral-storage'])]) };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    // Explicit requests only: API defaulting would copy limits into missing requests, but the manifest
    // should say what the workload asks for.
    const missing = missingResources(pod, 'requests', ['cpu', 'memory', 'ephemeral-storage']);
    // A platform with request bounds (GKE Autopilot) rejects or silently changes requests outside them.
    const platform = (context.platform?.resourceProblems(pod.spec) ?? []).map(problem => ({
      pointer: pointer(pod.specPointer, 'containers'),
      message: `on ${context.platform!.title}, ${problem}`,
      fix: `Size the pod's requests within ${context.platform!.title}'s bounds (docs/platforms.md lists them with their source)`,
    }));
    return [...missing, ...platform];
  }
}
